#undef DW
