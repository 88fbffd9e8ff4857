#include "photocodec.h"
// Kept in C because libjpeg/libpng report errors through setjmp/longjmp, which Swift cannot use.
int pc_version(void) { return 1; }
