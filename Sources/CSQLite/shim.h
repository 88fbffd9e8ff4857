// Only #includes: the system headers this module exposes to Swift.
#include <sqlite3.h>
