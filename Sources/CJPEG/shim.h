// Only #includes: the system headers this module exposes to Swift.
#include <stdio.h>
#include <jpeglib.h>
