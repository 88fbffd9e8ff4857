// libcurl for photoprov's HTTP engine on Linux (Sources/PhotoProvisioning/Graph/CurlEngine.swift).
//
// curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are variadic, which Swift cannot call: each
// typed wrapper below passes one argument type through, so Swift sees ordinary functions. Besides them, only an
// accessor for a union member of CURLMsg.
#include <curl/curl.h>

/// The signature of CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION and CURLOPT_READFUNCTION.
typedef size_t (*CCurl_data_callback)(char *buffer, size_t size, size_t count, void *context);

/// A `long` option (flags, timeouts, sizes that fit a long).
static inline CURLcode CCurl_easy_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// A `curl_off_t` option (CURLOPT_POSTFIELDSIZE_LARGE, CURLOPT_INFILESIZE_LARGE).
static inline CURLcode CCurl_easy_set_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// A string option; libcurl copies it (or NULL to reset it).
static inline CURLcode CCurl_easy_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// A pointer option: callback contexts, the error buffer.
static inline CURLcode CCurl_easy_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// A header list (CURLOPT_HTTPHEADER); libcurl keeps the pointer, so the list must outlive the transfer.
static inline CURLcode CCurl_easy_set_list(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

/// A data callback (CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION, CURLOPT_READFUNCTION).
static inline CURLcode CCurl_easy_set_callback(CURL *handle, CURLoption option, CCurl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

/// A `long` result (CURLINFO_RESPONSE_CODE).
static inline CURLcode CCurl_easy_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// A `long` multi option (CURLMOPT_MAX_HOST_CONNECTIONS, CURLMOPT_MAXCONNECTS).
static inline CURLMcode CCurl_multi_set_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// The CURLMsg's result for a finished transfer (`data.result`, a member of an anonymous union).
static inline CURLcode CCurl_message_result(const CURLMsg *message) {
    return message->data.result;
}
