"""EdgeQuant side by side with TFLite (XNNPACK and BUILTIN_REF), TFLite Micro and ONNX Runtime (issue 6).

    Tools/peers/run.sh [--models vgg,resnet] [--images N] [--tflm-images N] [--no-doc]

For each float model (Models/<m>-mnist.bin; the Keras model is Models/<m>-mnist.keras when present, else rebuilt
from model.bin with Tools/train/train.py's architecture and checked against Tools/train/modelbin.py's numpy pass):

  float Keras          accuracy of the logits model
  TFLite int8          full-integer post-training quantization (int8 input and output, TFLITE_BUILTINS_INT8),
                       representative dataset = our calibration images (first 1000 training images, pixel/255);
                       run by tf.lite.Interpreter with the default resolver (XNNPACK delegate), num_threads=1
  TFLite BUILTIN_REF   the same .tflite with the reference kernels (bit-exact with TFLite Micro)
  TFLM                 the same .tflite in tflite_micro.runtime; arena from print_allocations()
  ORT int8 QDQ         tf2onnx export, quantize_static QDQ, per-channel int8 weights, int8 or uint8 activations,
                       MinMax calibration on the same 1000 images; one intra-op and one inter-op thread
  EdgeQuant            quantize (default settings, same 1000 images), edge-sim compare / evaluate --cores 1,
                       Firmware-Sim/run on Samples/digits when it is there

Every engine sees the graph up to the logits (our .q8 drops the final Softmax too); the class is the argmax.
Writes the table between <!-- peers:begin --> and <!-- peers:end --> in docs/BENCHMARKS.md.
"""

import argparse
import contextlib
import datetime
import glob
import io
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO / "Tools/train"))

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated.*")
warnings.filterwarnings("ignore", category=DeprecationWarning)

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import modelbin  # noqa: E402  (Tools/train: independent numpy reader of model.bin)
import train  # noqa: E402     (Tools/train: architectures and the IDX reader)

BEGIN, END = "<!-- peers:begin -->", "<!-- peers:end -->"
SECTION = "## Side by side with TFLite, TFLite Micro and ONNX Runtime (issue 6)"
CALIBRATION_COUNT = 1000
GOALS = {"arena": 0.6, "latency": 1.0, "macs_per_instruction": 0.8, "accuracy": 0.0}


def log(*parts):
    print(*parts, flush=True)


# ---- data -----------------------------------------------------------------------------------------------------

def load_data(directory: Path, count: int):
    """(calibration [1000,28,28,1], test images [N,28,28,1], test labels [N]) as float32 pixel/255, no normalization:
    what `quantize --calibration` reads (the first 1000 training images) and what edge-sim evaluates."""
    train_images = train.read_idx(directory / "train-images-idx3-ubyte.gz")[:CALIBRATION_COUNT]
    test_images = train.read_idx(directory / "t10k-images-idx3-ubyte.gz")[:count]
    test_labels = train.read_idx(directory / "t10k-labels-idx1-ubyte.gz")[:count]
    as_float = lambda a: (a.astype(np.float32) / 255.0)[..., None]
    return as_float(train_images), as_float(test_images), test_labels.astype(np.int64)


# ---- float model ------------------------------------------------------------------------------------------------

def arch_of(bin_path: Path, graph) -> str:
    """The train.py architecture whose weights are exactly model.bin's constants."""
    names = {t.name for t in graph.tensors if t.is_constant}
    stem = bin_path.name.split("-")[0]
    for arch in [stem] + sorted(a for a in train.ARCHS if a != stem):
        if arch not in train.ARCHS:
            continue
        model, _ = train.build(arch)
        wanted = {f"{layer.name}/{w.name}" for layer in model.layers for w in layer.weights}
        if wanted == names:
            return arch
    raise SystemExit(f"{bin_path}: no architecture in Tools/train/train.py has exactly its weights")


def rebuild_keras(bin_path: Path, graph):
    """A Keras model equal to model.bin: train.py's architecture with model.bin's weights."""
    arch = arch_of(bin_path, graph)
    model, logits_model = train.build(arch)
    constants = {t.name: t.data for t in graph.tensors if t.is_constant}
    for layer in model.layers:
        if layer.weights:
            layer.set_weights([constants[f"{layer.name}/{w.name}"] for w in layer.weights])
    return model, logits_model, f"rebuilt from {bin_path.name} ({arch} in Tools/train/train.py)"


def float_model(bin_path: Path, rebuild: bool):
    graph = modelbin.load(bin_path)
    keras_path = bin_path.with_suffix(".keras")
    if keras_path.exists() and not rebuild:
        model = keras.models.load_model(keras_path, compile=False)
        logits_model = keras.Model(model.inputs, model.get_layer("logits").output)
        source = f"{keras_path.name}"
    else:
        model, logits_model, source = rebuild_keras(bin_path, graph)
    return graph, logits_model, source


def check_against_modelbin(graph, logits_model, images):
    """Largest |Keras logit - numpy float64 logit| over `images`; raises when above 1e-5 (relative to max(1, |logit|))."""
    keras_logits = logits_model.predict(images, batch_size=len(images), verbose=0)
    worst = 0.0
    for i, image in enumerate(images):
        ref = modelbin.run(graph, image)[graph.logits][0]
        diff = float(np.abs(ref - keras_logits[i]).max())
        worst = max(worst, diff / max(1.0, float(np.abs(ref).max())))
    if worst > 1e-5:
        raise SystemExit(f"Keras model differs from model.bin by {worst:.2e} (relative) on {len(images)} test images")
    return worst


# ---- timing -----------------------------------------------------------------------------------------------------

def run_timed(predict, inputs, labels, warmup):
    """Calls predict(input) -> class on every input, one at a time, after `warmup` untimed calls on the first inputs.
    Returns (correct, mean seconds per call)."""
    for x in inputs[:warmup]:
        predict(x)
    correct, total = 0, 0
    clock = time.perf_counter_ns
    for x, label in zip(inputs, labels):
        start = clock()
        guess = predict(x)
        total += clock() - start
        correct += int(guess == label)
    return correct, total / 1e9 / max(1, len(inputs))


def invoke_alone(interp, sample, count):
    """Mean seconds of `invoke()` by itself: the input set once, untimed, then `count` invokes inside one timed
    loop, so no set_tensor, get_tensor, argmax or clock read per call is counted (the Python-to-C++ call of
    invoke itself still is). The same image every call: int8 kernels take the same time on any data."""
    interp.set_tensor(interp.get_input_details()[0]["index"], sample)
    invoke = interp.invoke
    for _ in range(10):
        invoke()
    start = time.perf_counter_ns()
    for _ in range(count):
        invoke()
    return (time.perf_counter_ns() - start) / 1e9 / count


def batched_invoke(flatbuffer, reference, qimages, labels, batch):
    """(mean seconds per image, correct) with the input resized to `batch` images: each invoke() alone is timed
    (set_tensor and get_tensor outside), over every whole batch in `qimages`; one untimed warm-up batch. Raises
    when the model cannot take a batch."""
    kwargs = {"model_content": flatbuffer, "num_threads": 1}
    if reference:
        kwargs["experimental_op_resolver_type"] = tf.lite.experimental.OpResolverType.BUILTIN_REF
    interp = tf.lite.Interpreter(**kwargs)
    i, o = interp.get_input_details()[0]["index"], interp.get_output_details()[0]["index"]
    interp.resize_tensor_input(i, [batch, 28, 28, 1])
    interp.allocate_tensors()
    x = qimages.reshape(-1, 28, 28, 1)
    n = len(x) // batch * batch
    interp.set_tensor(i, x[:batch])
    interp.invoke()
    total, correct, clock = 0, 0, time.perf_counter_ns
    for start in range(0, n, batch):
        interp.set_tensor(i, x[start:start + batch])
        t0 = clock()
        interp.invoke()
        total += clock() - t0
        correct += int((interp.get_tensor(o).reshape(batch, -1).argmax(1) == labels[start:start + batch]).sum())
    return total / 1e9 / max(1, n), correct, n


@contextlib.contextmanager
def captured_fds(path):
    """Sends file descriptors 1 and 2 (C and C++ writes included) to `path` for the duration."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(path, "wb") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def quantize_inputs(images, scale, zero_point):
    """float [0,1] -> int8 with TFLite's input quantization (round half away from zero, clamp)."""
    v = images / np.float32(scale)
    q = np.sign(v) * np.floor(np.abs(v) + 0.5) + zero_point
    return np.clip(q, -128, 127).astype(np.int8)


# ---- TFLite and TFLite Micro --------------------------------------------------------------------------------------

def convert_tflite(logits_model, calibration):
    def representative_dataset():
        for image in calibration:
            yield [image[None]]

    converter = tf.lite.TFLiteConverter.from_keras_model(logits_model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    with contextlib.redirect_stdout(io.StringIO()):
        return converter.convert()


def tflite_interpreter(flatbuffer, reference, work):
    kwargs = {"model_content": flatbuffer, "num_threads": 1}
    if reference:
        kwargs["experimental_op_resolver_type"] = tf.lite.experimental.OpResolverType.BUILTIN_REF
    log_path = work / "tflite-stderr.txt"
    with captured_fds(log_path):
        interp = tf.lite.Interpreter(**kwargs)
        interp.allocate_tensors()
        interp.invoke()  # the delegate is applied at the first allocation/invoke
    # The "Created TensorFlow Lite XNNPACK delegate" message is logged once per process, so count the delegate
    # kernels the execution plan holds instead.
    partitions = sum(op["op_name"] == "DELEGATE" for op in interp._get_ops_details())
    return interp, partitions


def tflite_predictor(interp):
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    set_tensor, invoke, get_tensor = interp.set_tensor, interp.invoke, interp.get_tensor
    i, o = inp["index"], out["index"]

    def predict(x):
        set_tensor(i, x)
        invoke()
        return int(np.argmax(get_tensor(o)))
    return predict, inp["quantization"]


def tflm_arena(tflite_path: Path, sample, work):
    """(reported 'Arena allocation total', head, tail, smallest arena_size that allocates and invokes)."""
    from tflite_micro import runtime

    def works(size):
        try:
            with captured_fds(work / "tflm-search.txt"):
                interp = runtime.Interpreter.from_file(str(tflite_path), arena_size=size)
                interp.set_input(sample, 0)
                interp.invoke()
            return True
        except Exception:
            return False

    big = 1 << 20
    if not works(big):
        raise RuntimeError(f"TFLM cannot run {tflite_path.name} with a 1 MiB arena: "
                           + (work / "tflm-search.txt").read_text(errors="replace")[-400:])
    report = work / "tflm-allocations.txt"
    interp = runtime.Interpreter.from_file(str(tflite_path), arena_size=big)
    interp.set_input(sample, 0)
    interp.invoke()
    with captured_fds(report):
        interp.print_allocations()
    text = report.read_text(errors="replace")
    found = {key: int(m.group(1)) for key in ("head", "tail", "total")
             if (m := re.search(rf"Arena allocation {key}\D*(\d+)", text))}
    if "total" not in found:
        raise RuntimeError(f"no 'Arena allocation total' in print_allocations() output:\n{text[:2000]}")
    lo, hi = 0, big  # smallest working size by bisection, to 16 bytes
    while hi - lo > 16:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if works(mid) else (mid, hi)
    return found, hi, text


def tflm_predictor(tflite_path: Path, arena_size):
    from tflite_micro import runtime
    interp = runtime.Interpreter.from_file(str(tflite_path), arena_size=arena_size)
    set_input, invoke, get_output = interp.set_input, interp.invoke, interp.get_output
    outputs = []

    def predict(x):
        set_input(x, 0)
        invoke()
        y = np.array(get_output(0))
        outputs.append(y)
        return int(np.argmax(y))
    return predict, outputs


def python_free(args, interp, flatbuffer, reference, qimages, labels, correct, name, what):
    """The row's invoke()-alone and batched figures (see invoke_alone and batched_invoke); a batch the model
    cannot take is recorded as the reason, never as a number."""
    count = min(len(qimages), args.invoke_calls)
    extra = {"invoke_alone": invoke_alone(interp, qimages[0], count), "invoke_calls": count}
    try:
        per_image, batch_correct, batch_n = batched_invoke(flatbuffer, reference, qimages, labels, args.batch)
        extra.update(batched=per_image, batch_images=batch_n)
        if batch_n == len(qimages) and batch_correct != correct:
            extra["batch_note"] = f"batched accuracy {batch_correct / batch_n:.4%} differs"
    except Exception as error:  # the table says why
        extra["batch_note"] = f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}"
    log(f"[{name}] TFLite {what}: invoke() alone {extra['invoke_alone'] * 1e3:.4f} ms over {count} calls; batched "
        + (f"{extra['batched'] * 1e3:.4f} ms/image over {extra['batch_images']} images" if "batched" in extra else "n/a")
        + (f" ({extra['batch_note']})" if "batch_note" in extra else ""))
    return extra


# ---- ONNX Runtime ------------------------------------------------------------------------------------------------

class _Reader:
    def __init__(self, name, images):
        self.name, self.images, self.i = name, images, 0

    def get_next(self):
        if self.i >= len(self.images):
            return None
        self.i += 1
        return {self.name: self.images[self.i - 1][None]}

    def rewind(self):
        self.i = 0


def export_onnx(logits_model, path: Path, work):
    """Keras 3 -> ONNX. tf2onnx.convert.from_keras expects tf.keras (Keras 2) models, so the model is wrapped in a
    tf.function with a fixed [1,28,28,1] signature and converted with tf2onnx.convert.from_function."""
    import tf2onnx
    spec = [tf.TensorSpec((1, 28, 28, 1), tf.float32, name="input")]
    how = "tf2onnx.convert.from_keras"
    try:
        with captured_fds(work / "tf2onnx.txt"):
            proto, _ = tf2onnx.convert.from_keras(logits_model, input_signature=spec, opset=17)
    except Exception as error:  # Keras 3: no tf.keras model internals
        how = f"tf2onnx.convert.from_function (from_keras failed: {type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''})"

        @tf.function(input_signature=spec)
        def forward(x):
            return logits_model(x, training=False)
        with captured_fds(work / "tf2onnx.txt"):
            proto, _ = tf2onnx.convert.from_function(forward, input_signature=spec, opset=17)
    path.write_bytes(proto.SerializeToString())
    return how


def ort_session(path: Path):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def ort_quantize(float_path: Path, out_path: Path, calibration, activation, work):
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process
    prepared = work / (float_path.stem + "-prep.onnx")
    if not prepared.exists():
        with captured_fds(work / "ort-prep.txt"):
            quant_pre_process(str(float_path), str(prepared))
    name = ort_session(prepared).get_inputs()[0].name
    with captured_fds(work / f"ort-quant-{activation}.txt"):
        quantize_static(str(prepared), str(out_path), _Reader(name, calibration),
                        quant_format=QuantFormat.QDQ, per_channel=True, reduce_range=False,
                        activation_type=QuantType.QInt8 if activation == "int8" else QuantType.QUInt8,
                        weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax)


def ort_predictor(session):
    name = session.get_inputs()[0].name
    run = session.run

    def predict(x):
        return int(np.argmax(run(None, {name: x})[0]))
    return predict


# ---- EdgeQuant -----------------------------------------------------------------------------------------------------

def tool(args, *command):
    result = subprocess.run([str(args.bin_dir / command[0]), *command[1:]], cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()[-800:]}")
    return json.loads(result.stdout)


def firmware_sim(q8: Path):
    """(instructions per inference, MACs per instruction, bit-exact text, the --json report or {}), or
    (None, None, reason, {})."""
    runner = REPO / "Firmware-Sim/run"
    samples = sorted(glob.glob(str(REPO / "Samples/digits/*.png")))
    if not (runner.is_file() and os.access(runner, os.X_OK)):
        return None, None, "Firmware-Sim not available", {}
    report_path = q8.with_suffix(".firmware.json")
    try:
        result = subprocess.run([str(runner), "--model", str(q8), "--json", str(report_path), *samples], cwd=REPO,
                                capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        return None, None, "Firmware-Sim not available (timed out after 900 s)", {}
    pattern = r"bit-exact (\d+)/(\d+), instructions per inference ([\d,.]+), MACs per instruction ([\d.]+)"
    m = None
    for line in (result.stdout + "\n" + result.stderr).splitlines():
        m = re.search(pattern, line) or m
    if result.returncode != 0 or not m:
        return None, None, f"Firmware-Sim not available (run exited {result.returncode}, no summary line)", {}
    # The goal is for the conv layers: take the fast kernels' conv-layer ratio from the per-pass line.
    conv = re.search(r"fast kernels: instructions per inference \d+, MACs per instruction [\d.]+ \(conv layers ([\d.]+)\)",
                     result.stdout)
    note = f"bit-exact {m.group(1)}/{m.group(2)}; all layers {float(m.group(4)):.2f} MACs/instruction"
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return int(float(m.group(3).replace(",", ""))), float(conv.group(1)) if conv else None, note, report


def ours(args, bin_path: Path, work: Path, count: int):
    q8 = work / (bin_path.stem + ".q8")
    rel = lambda p: os.path.relpath(p, REPO)
    report = tool(args, "quantize", rel(bin_path), "--calibration", rel(args.data), "-o", str(q8), "--json")
    limit = [] if count >= 10000 else ["--limit", str(count)]
    compare = tool(args, "edge-sim", "compare", "--float", rel(bin_path), "--int8", str(q8), "--data", rel(args.data),
                   "--cores", "1", "--json", *limit)
    evaluate = tool(args, "edge-sim", "evaluate", "--model", str(q8), "--data", rel(args.data), "--cores", "1",
                    "--json", *limit)
    instructions, macs_per_instruction, note, firmware = firmware_sim(q8)
    return {
        "stack": firmware.get("stack_used"), "stack_reserved": (firmware.get("memory") or {}).get("stack"),
        "scratch": report.get("scratch_bytes"),
        "accuracy": compare["int8_accuracy"], "float_accuracy": compare["float_accuracy"], "images": compare["images"],
        "bytes": q8.stat().st_size, "flash_bytes": report.get("flash_bytes"), "arena": report["arena_bytes"],
        "macs": report.get("macs"), "latency": 1.0 / evaluate["images_per_second"], "latency_images": evaluate["images"],
        "evaluate_accuracy": evaluate["accuracy"], "instructions": instructions,
        "macs_per_instruction": macs_per_instruction, "firmware_note": note,
    }


# ---- one model -----------------------------------------------------------------------------------------------------

def measure(args, name, bin_path: Path, calibration, images, labels, work: Path):
    rows, notes = [], []
    n = len(images)
    graph, logits_model, source = float_model(bin_path, args.rebuild_keras)
    worst = check_against_modelbin(graph, logits_model, images[:16])
    notes.append(f"float model: {source}; its logits match model.bin's numpy float64 pass within {worst:.1e} "
                 f"(relative, 16 test images)")
    log(f"[{name}] float Keras from {source}; max relative logit difference from model.bin {worst:.1e}")
    keras_logits = logits_model.predict(images, batch_size=500, verbose=0)
    rows.append({"engine": "float Keras", "accuracy": float(np.mean(keras_logits.argmax(1) == labels))})

    # TFLite full-integer PTQ, int8 in and out
    flatbuffer = convert_tflite(logits_model, calibration)
    tflite_path = work / f"{name}.tflite"
    tflite_path.write_bytes(flatbuffer)
    interp, xnnpack = tflite_interpreter(flatbuffer, reference=False, work=work)
    predict, (scale, zero_point) = tflite_predictor(interp)
    qimages = quantize_inputs(images, scale, zero_point)
    qimages = qimages.reshape(n, 1, 28, 28, 1)
    correct, latency = run_timed(predict, qimages, labels, args.warmup)
    rows.append({"engine": "TFLite int8, XNNPACK" if xnnpack else "TFLite int8, default resolver (no XNNPACK partition)",
                 "accuracy": correct / n, "bytes": len(flatbuffer), "latency": latency, "key": "xnnpack"})
    log(f"[{name}] TFLite int8 default resolver: {correct / n:.4%}, {latency * 1e3:.3f} ms/image, "
        f"XNNPACK partitions {xnnpack}")
    rows[-1].update(python_free(args, interp, flatbuffer, False, qimages, labels, correct, name, "XNNPACK"))
    notes.append(f"TFLite input quantization: scale {scale:.6g}, zero point {zero_point}; default resolver: "
                 f"{xnnpack} XNNPACK delegate partition(s) in the execution plan")

    ref, _ = tflite_interpreter(flatbuffer, reference=True, work=work)
    ref_predict, _ = tflite_predictor(ref)
    ref_outputs = []
    out_index = ref.get_output_details()[0]["index"]

    def ref_predict_keep(x):
        guess = ref_predict(x)
        ref_outputs.append(ref.get_tensor(out_index).copy())
        return guess
    for x in qimages[:args.warmup]:
        ref_predict_keep(x)
    ref_outputs.clear()  # warm-up outputs out: ref_outputs[i] is image i
    correct, latency = run_timed(ref_predict_keep, qimages, labels, 0)
    rows.append({"engine": "TFLite int8, BUILTIN_REF", "accuracy": correct / n, "bytes": len(flatbuffer),
                 "latency": latency, "key": "ref"})
    log(f"[{name}] TFLite int8 BUILTIN_REF: {correct / n:.4%}, {latency * 1e3:.3f} ms/image")
    rows[-1].update(python_free(args, ref, flatbuffer, True, qimages, labels, correct, name, "BUILTIN_REF"))

    # TFLite Micro
    arena, smallest, _ = tflm_arena(tflite_path, qimages[0], work)
    tflm, tflm_outputs = tflm_predictor(tflite_path, smallest)
    tn = min(n, args.tflm_images)
    for x in qimages[:args.warmup]:
        tflm(x)
    tflm_outputs.clear()
    correct, latency = run_timed(tflm, qimages[:tn], labels[:tn], 0)
    pairs = [(a.reshape(-1).astype(int), b.reshape(-1).astype(int)) for a, b in zip(tflm_outputs, ref_outputs[:tn])]
    exact = sum(np.array_equal(a, b) for a, b in pairs)
    largest = max(int(np.abs(a - b).max()) for a, b in pairs)
    rows.append({"engine": "TFLite Micro", "accuracy": correct / tn, "images": tn, "bytes": len(flatbuffer),
                 "arena": arena["total"], "head": arena.get("head"), "tail": arena.get("tail"), "latency": latency,
                 "key": "tflm"})
    log(f"[{name}] TFLM: {correct / tn:.4%} on {tn}, {latency * 1e3:.3f} ms/image, arena total {arena['total']} "
        f"(head {arena.get('head')}, tail {arena.get('tail')}), smallest arena_size {smallest}; "
        f"int8 logits equal to BUILTIN_REF's on {exact}/{tn} images (largest difference {largest})")
    notes.append(f"TFLM arena: print_allocations() 'Arena allocation total' {arena['total']:,} bytes (head "
                 f"{arena.get('head', 0):,}: planned activations and scratch; tail {arena.get('tail', 0):,}: persistent "
                 f"interpreter and tensor data); smallest arena_size that allocates and invokes: {smallest:,} "
                 f"(bisection to 16 bytes). TFLM's int8 logits equal TFLite BUILTIN_REF's on {exact:,}/{tn:,} images "
                 f"(largest difference {largest})")

    # ONNX Runtime
    onnx_float = work / f"{name}.onnx"
    try:
        how = export_onnx(logits_model, onnx_float, work)
        session = ort_session(onnx_float)
        in_name = session.get_inputs()[0].name
        diff = max(float(np.abs(session.run(None, {in_name: images[i:i + 1]})[0] - keras_logits[i]).max())
                   for i in range(16))
        notes.append(f"ONNX export: {how}, opset 17; float ONNX logits within {diff:.1e} of Keras (16 images)")
        log(f"[{name}] ONNX export via {how}; float logits max diff {diff:.1e}")
        fimages = images.reshape(n, 1, 28, 28, 1)
        for activation in ("int8", "uint8"):
            qpath = work / f"{name}-qdq-{activation}.onnx"
            ort_quantize(onnx_float, qpath, calibration, activation, work)
            correct, latency = run_timed(ort_predictor(ort_session(qpath)), fimages, labels, args.warmup)
            rows.append({"engine": f"ONNX Runtime QDQ, {activation} activations", "accuracy": correct / n,
                         "bytes": qpath.stat().st_size, "latency": latency, "key": f"ort-{activation}"})
            log(f"[{name}] ORT QDQ {activation}: {correct / n:.4%}, {latency * 1e3:.3f} ms/image")
    except Exception as error:  # recorded in the table, never a made-up number
        message = f"{type(error).__name__}: {str(error).splitlines()[0][:300] if str(error) else ''}"
        log(f"[{name}] ONNX Runtime failed: {message}")
        for activation in ("int8", "uint8"):
            rows.append({"engine": f"ONNX Runtime QDQ, {activation} activations", "failed": message})

    # EdgeQuant
    mine = ours(args, bin_path, work, n)
    rows.append({"engine": "**EdgeQuant**", "accuracy": mine["accuracy"], "bytes": mine["bytes"], "arena": mine["arena"],
                 "stack": mine["stack"], "stack_reserved": mine["stack_reserved"], "scratch": mine["scratch"],
                 "latency": mine["latency"], "instructions": mine["instructions"], "firmware_note": mine["firmware_note"],
                 "macs_per_instruction": mine["macs_per_instruction"], "key": "ours", "images": mine["images"]})
    log(f"[{name}] EdgeQuant: {mine['accuracy']:.4%}, {mine['bytes']} bytes, arena {mine['arena']}, "
        f"{mine['latency'] * 1e3:.3f} ms/image, firmware {mine['instructions']} ({mine['firmware_note']})")
    notes.append(f"EdgeQuant: edge-sim compare float accuracy {mine['float_accuracy']:.2%} (Keras above: "
                 f"{rows[0]['accuracy']:.2%}); evaluate --cores 1 over {mine['latency_images']:,} images; "
                 f"{mine['macs']:,} MACs per image" if mine.get("macs") else "")
    return rows, [x for x in notes if x]


# ---- report ---------------------------------------------------------------------------------------------------------

def fmt_row(model, row, n):
    if "failed" in row:
        return f"| {model} | {row['engine']} | failed: {row['failed']} | | | | |"
    acc = f"{row['accuracy'] * 100:.2f}%"
    if row.get("images", n) != n:
        acc += f" ({row['images']:,} images)"
    b = f"{row['bytes']:,}" if "bytes" in row else ""
    arena = f"{row['arena']:,}" if "arena" in row else ""
    lat = f"{row['latency'] * 1e3:.3f}" if "latency" in row else ""
    if row.get("key") == "ours":
        instr = (f"{row['instructions']:,} (Cortex-M4F; conv layers {row['macs_per_instruction']:.2f} MACs/instr.)"
                 if row.get("instructions") else f"n/a ({row['firmware_note']})")
    else:
        instr = ""
    return f"| {model} | {row['engine']} | {acc} | {b} | {arena} | {lat} | {instr} |"


def gaps(model, rows):
    by = {r.get("key"): r for r in rows if "failed" not in r}
    me, out = by["ours"], []
    if "tflm" in by:
        ratio = me["arena"] / by["tflm"]["arena"]
        head = by["tflm"].get("head")
        out.append(f"arena ours/TFLM {me['arena']:,}/{by['tflm']['arena']:,} = {ratio:.2f}x (goal ≤ {GOALS['arena']}x: "
                   f"{'met' if ratio <= GOALS['arena'] else 'not met'}"
                   + (f"; against TFLM's head alone, {head:,}: {me['arena'] / head:.2f}x)" if head else ")"))
    if "xnnpack" in by:
        ratio = me["latency"] / by["xnnpack"]["latency"]
        out.append(f"latency ours/TFLite XNNPACK int8 {me['latency'] * 1e3:.3f}/{by['xnnpack']['latency'] * 1e3:.3f} ms "
                   f"= {ratio:.2f}x (goal ≤ 1x: {'met' if ratio <= GOALS['latency'] else 'not met'})")
    if me.get("macs_per_instruction") is not None:
        m = me["macs_per_instruction"]
        out.append(f"Firmware-Sim conv-layer MACs/instruction on Cortex-M4F {m:.2f} ({me['firmware_note']}; goal ≥ {GOALS['macs_per_instruction']}: "
                   f"{'met' if m >= GOALS['macs_per_instruction'] else 'not met'})")
    else:
        out.append(f"Firmware-Sim MACs/instruction: n/a ({me['firmware_note']}) (goal ≥ {GOALS['macs_per_instruction']})")
    tflite = [r for k, r in by.items() if k in ("xnnpack", "ref")]
    if tflite:
        best = max(tflite, key=lambda r: r["accuracy"])  # the better TFLite int8 row: the stricter test
        d = (me["accuracy"] - best["accuracy"]) * 100
        out.append(f"accuracy ours − TFLite int8 ({best['engine'].split(', ')[1]}, the better TFLite row) "
                   f"{me['accuracy'] * 100:.2f}% − {best['accuracy'] * 100:.2f}% = {d:+.2f} points "
                   f"(goal ≥ 0: {'met' if d >= -1e-9 else 'not met'})")
    return [f"- {model}: " + "; ".join(out)]


def source_state():
    """'commit abc1234' plus a warning when Sources/ had uncommitted changes (the Swift tools were built from them)."""
    git = lambda *a: subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True).stdout.strip()
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "Sources", "Package.swift")
    return f"commit {head}" + (", with uncommitted changes in Sources/" if dirty else "")


def render(results, args, command, seconds, started):
    n = args.images
    lines = [
        f"`{command}` ({started:%Y-%m-%d}, {platform.machine()} Linux, {os.cpu_count()} cores shared with other jobs; "
        f"Swift tools built from {source_state()}; run took {seconds / 60:.1f} min; load average "
        f"{args.load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end). MNIST test images: {n:,}; calibration for every int8 engine: the first "
        f"{CALIBRATION_COUNT} training images, pixel/255. Latency: one image per call, one thread, mean over the "
        f"images after {args.warmup} warm-up calls (ours: `edge-sim evaluate --cores 1`, 1/images per second). "
        "Method and settings: [Tools/peers/README.md](../Tools/peers/README.md).",
        "",
        "| model | engine | accuracy | model bytes | arena bytes | ms/image, 1 thread | instructions/inference (Firmware-Sim) |",
        "|---|---|---|---|---|---|---|",
    ]
    for model, (rows, _) in results.items():
        lines += [fmt_row(model, r, n) for r in rows]
    lines += ["", "TFLite host latency without Python's per-call work, same interpreters (ms/image, one thread): "
              "\"per call\" is the column above (set_tensor, invoke, get_tensor, argmax, each call timed); "
              f"\"invoke() alone\" sets the input once and times a loop of up to {args.invoke_calls:,} invoke() calls "
              "as one interval; \"batched\" resizes the input to "
              f"{args.batch} images and times each invoke() alone over the test images. Ours above is "
              "`edge-sim evaluate --cores 1`, which also quantizes the input and takes the softmax per image.", "",
              "| model | engine | per call | invoke() alone | batched invoke, per image |", "|---|---|---|---|---|"]
    for model, (rows, _) in results.items():
        for r in rows:
            if "invoke_alone" not in r:
                continue
            batched = (f"{r['batched'] * 1e3:.4f} ({r['batch_images']:,} images)" if "batched" in r else "n/a")
            if r.get("batch_note"):
                batched += f" ({r['batch_note']})"
            lines.append(f"| {model} | {r['engine']} | {r['latency'] * 1e3:.4f} | "
                         f"{r['invoke_alone'] * 1e3:.4f} ({r['invoke_calls']:,} calls) | {batched} |")
    lines += ["", "Memory on equal terms: TFLite Micro's whole arena (head: planned activations and scratch; tail: "
              "persistent interpreter, tensor and op data; from `print_allocations()`) against ours (`arena_bytes` "
              "of `quantize --json`: every tensor and, where the plan holds them, the kernels' scratch; our runtime "
              "keeps no other state in RAM), with our stack high-water from Firmware-Sim (Cortex-M4F, fast "
              "kernels, `Firmware-Sim/run --json`) beside it. TFLite Micro's stack runs inside Python here and is "
              "not measured.", "",
              "| model | TFLM arena: head + tail = total | EdgeQuant arena | EdgeQuant stack used (reserved) | "
              "EdgeQuant arena + stack used | ours / TFLM arena |", "|---|---|---|---|---|---|"]
    for model, (rows, _) in results.items():
        by = {r.get("key"): r for r in rows if "failed" not in r}
        tflm, me = by.get("tflm"), by.get("ours")
        if not (tflm and me):
            continue
        head, tail = tflm.get("head"), tflm.get("tail")
        split = f"{head:,} + {tail:,} = {tflm['arena']:,}" if head is not None and tail is not None else f"{tflm['arena']:,}"
        ours_arena = f"{me['arena']:,}" + (f" (scratch {me['scratch']:,})" if me.get("scratch") is not None else "")
        stack = (f"{me['stack']:,}" + (f" ({me['stack_reserved']:,})" if me.get("stack_reserved") else "")
                 if me.get("stack") is not None else "n/a (no Firmware-Sim report)")
        total = f"{me['arena'] + me['stack']:,}" if me.get("stack") is not None else "n/a"
        lines.append(f"| {model} | {split} | {ours_arena} | {stack} | {total} | {me['arena'] / tflm['arena']:.2f}x |")
    lines += ["", "Gaps against the issue 6 goals (measured above; later work closes them):", ""]
    for model, (rows, _) in results.items():
        lines += gaps(model, rows)
    lines += ["", "Notes from this run:", ""]
    for model, (_, notes) in results.items():
        lines += [f"- {model}: {note}" for note in notes]
    return "\n".join(lines)


def write_doc(path: Path, body: str):
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{BEGIN}\n{body}\n{END}"
    if BEGIN in text and END in text and text.index(BEGIN) < text.index(END):
        start, end = text.index(BEGIN), text.index(END) + len(END)
        text = text[:start] + block + text[end:]
    else:
        text = text.rstrip("\n") + f"\n\n{SECTION}\n\n{block}\n"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="vgg,resnet", help="comma-separated names: Models/<name>-mnist.bin")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared/data/mnist")
    parser.add_argument("--images", type=int, default=10000, help="MNIST test images for every engine (default 10000)")
    parser.add_argument("--tflm-images", type=int, default=10000, help="test images for TFLite Micro (slow reference kernels)")
    parser.add_argument("--warmup", type=int, default=100, help="untimed calls before timing")
    parser.add_argument("--invoke-calls", type=int, default=2000, help="invoke() calls in the invoke-alone loop")
    parser.add_argument("--batch", type=int, default=100, help="images per invoke() in the batched TFLite timing")
    parser.add_argument("--rebuild-keras", action="store_true", help="rebuild Keras from model.bin even when the .keras exists")
    parser.add_argument("--bin-dir", type=Path, default=REPO / ".build/release", help="where quantize and edge-sim are")
    parser.add_argument("--doc", type=Path, default=REPO / "docs/BENCHMARKS.md")
    parser.add_argument("--no-doc", action="store_true", help="print the section, do not write the doc")
    parser.add_argument("--keep", type=Path, help="keep the converted models (.tflite, .onnx, .q8) in this folder")
    parser.add_argument("--command", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.data = args.data.resolve()
    started, t0 = datetime.datetime.now(), time.time()
    args.load_start = os.getloadavg()[0]  # the machine is shared: timings mean little when this is high
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(1)

    calibration, images, labels = load_data(args.data, args.images)
    args.images = len(images)
    results = {}
    with tempfile.TemporaryDirectory(prefix="peers-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for name in [m.strip() for m in args.models.split(",") if m.strip()]:
            bin_path = REPO / f"Models/{name}-mnist.bin"
            results[name] = measure(args, name, bin_path, calibration, images, labels, work)
    command = args.command or "python3 Tools/peers/compare.py " + shlex.join(sys.argv[1:])
    body = render(results, args, command, time.time() - t0, started)
    log("\n" + body)
    if not args.no_doc:
        write_doc(args.doc, body)
        log(f"\nwrote the section of {os.path.relpath(args.doc, Path.cwd())}")


if __name__ == "__main__":
    main()
