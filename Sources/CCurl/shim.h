// Typed wrappers for libcurl's variadic functions, which Swift cannot call.
// https://curl.se/libcurl/c/curl_easy_setopt.html, curl_easy_getinfo.html, curl_multi_setopt.html
#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <curl/curl.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stddef.h>

static inline CURLcode ccurl_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ccurl_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }

typedef size_t (*ccurl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode ccurl_easy_setopt_write_function(CURL *h, ccurl_data_callback f) {
    return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLcode ccurl_easy_setopt_header_function(CURL *h, ccurl_data_callback f) {
    return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, f);
}

static inline CURLcode ccurl_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode ccurl_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode ccurl_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode ccurl_easy_getinfo_string(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode ccurl_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }

static inline CURLMcode ccurl_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }

// Multi-handle wrappers the Fetch module needs beyond the typed setopt/getinfo above.
// https://curl.se/libcurl/c/curl_global_init.html: CURL_GLOBAL_ALL is a macro expression Swift cannot import.
static inline CURLcode ccurl_global_init_all(void) { return curl_global_init(CURL_GLOBAL_ALL); }

// OpenSSL (libcurl's TLS library here) frees its global state from an atexit handler, and a thread still in
// OpenSSL while the process exits can then crash in it (seen about once in 3,000 runs of `aggregator parse`:
// signal 11 in libcrypto after all the output was written). OPENSSL_INIT_NO_ATEXIT (0x00080000), asked for
// before anything initializes OpenSSL, leaves that state to the system. Looked up at run time, as libcurl
// loaded it: the project does not link OpenSSL itself, and a libcurl on another TLS library has no such symbol.
// https://www.openssl.org/docs/man3.0/man3/OPENSSL_init_crypto.html
static inline int ccurl_openssl_skip_exit_cleanup(void) {
    void *self = dlopen(NULL, RTLD_NOW);
    if (!self) return 0;
    int (*init)(uint64_t, const void *) = (int (*)(uint64_t, const void *))dlsym(self, "OPENSSL_init_crypto");
    int ok = init ? init(0x00080000ull, NULL) : 0;
    dlclose(self);
    return ok;
}

// https://curl.se/libcurl/c/curl_multi_info_read.html: CURLMsg carries its result in an anonymous union.
static inline CURLcode ccurl_msg_result(const CURLMsg *m) { return m->data.result; }

// Constants defined as macros or anonymous enum members, given a fixed type here.
static inline long ccurl_http_version_2tls(void) { return CURL_HTTP_VERSION_2TLS; }
static inline long ccurl_pipe_multiplex(void) { return CURLPIPE_MULTIPLEX; }
static inline size_t ccurl_error_size(void) { return CURL_ERROR_SIZE; }

#endif
