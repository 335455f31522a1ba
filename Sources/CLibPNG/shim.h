// The system libpng, for Imaging's PNG encoder (the simplified write API does its own setjmp).
#include <png.h>
