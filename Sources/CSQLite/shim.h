// What Swift cannot import from sqlite3.h directly.
#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H

#include <sqlite3.h>

/// SQLITE_TRANSIENT is a cast of -1 to a function pointer, which Swift cannot import as a macro.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

/// sqlite3_config is variadic. Memory statistics off: every sqlite3_malloc and sqlite3_free otherwise takes one
/// process-wide mutex (the writer and the lookup thread of a fetch contended for it). Before the library is
/// initialized only; SQLITE_MISUSE after.
static inline int csqlite_disable_memstatus(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

#endif
