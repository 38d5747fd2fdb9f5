// Typed wrappers for what Swift cannot use from libxml2 directly.
#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H

// Debian's libxml2 is built with ICU. A module that sees both libxml2 and Foundation fails a clean
// build with "'UErrorCode' has different definitions in different modules": keep ICU's headers out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>
#include <libxml/encoding.h>
#include <libxml/uri.h>
#include <libxml/tree.h>

/// `xmlFree` is a mutable global function pointer, which Swift 6 rejects as not concurrency-safe.
static inline void cxml_free(void *p) { xmlFree(p); }

/// Silences libxml2's default "print every error to stderr" behaviour for the calling thread;
/// errors are collected through the SAX structured-error callback instead.
static void cxml_silent_generic(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }
static inline void cxml_silence_generic_errors(void) { xmlSetGenericErrorFunc(NULL, cxml_silent_generic); }

#endif
