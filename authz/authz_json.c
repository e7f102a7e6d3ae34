/* being written */
typedef int dw_placeholder_t;
