/* The .q8 model, placed in flash as read-only data (MODEL_PATH is set by the build). 16-byte aligned: the
   runtime reads its tables and constants in place. */
    .section .rodata.model, "a"
    .balign 16
    .global eq_model_start
    .global eq_model_end
eq_model_start:
    .incbin MODEL_PATH
eq_model_end:
