// CICUShim: a plain-C API over ICU for Verbatim.
//
// Only <stdint.h> and <stddef.h> types appear here: ICU's own headers are included by
// CICUShim.c alone, because on Linux a Swift module that imports Foundation cannot also
// see ICU's C headers (they clash with Foundation's bundled _FoundationICU).
//
// All offsets are UTF-8 byte offsets into the caller's buffer, whatever route is used
// internally. The caller keeps the text alive and unchanged while a breaker is set on it.
#ifndef CICUSHIM_H
#define CICUSHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Rule-status classes of a word-break span (ICU's UBRK_WORD_* ranges, collapsed).
enum {
  VB_SPAN_NONE = 0,    ///< spaces, punctuation, symbols
  VB_SPAN_NUMBER = 1,  ///< numbers
  VB_SPAN_LETTER = 2,  ///< letters (Latin, Greek, Cyrillic, ...)
  VB_SPAN_KANA = 3,    ///< kana
  VB_SPAN_IDEO = 4     ///< ideographs
};

/// How a breaker reads the text: ICU's UTF-8 UText; a UTF-16 copy made per text; or (word
/// breakers only) ICU's word rules replayed over the UTF-8 bytes when every character of the
/// text is one the replay covers (WordRules.c), else the UTF-16 route. Same spans every way.
enum { VB_ROUTE_UTF8 = 0, VB_ROUTE_UTF16 = 1, VB_ROUTE_RULES = 2 };

/// Kinds of breaker.
enum { VB_BREAK_WORD = 0, VB_BREAK_SENTENCE = 1 };

/// An opaque, stateful break iterator with its scratch buffers. One per thread.
typedef struct vb_breaker vb_breaker;

/// Opens a breaker for `kind` (VB_BREAK_WORD or VB_BREAK_SENTENCE) in `locale` (e.g. "fr")
/// reading text by `route`. Returns NULL and sets *status to a nonzero ICU error code on failure.
vb_breaker *vb_breaker_open(int32_t kind, const char *locale, int32_t route, int32_t *status);

/// Whether the current text is broken by the replayed rules (1) or by ICU's iterator (0).
int32_t vb_breaker_uses_rules(const vb_breaker *breaker);

/// Closes a breaker. NULL is allowed.
void vb_breaker_close(vb_breaker *breaker);

/// Returned by vb_breaker_set_text for ill-formed UTF-8 (UTF-16 and rules routes only).
enum { VB_STATUS_INVALID_UTF8 = -2 };

/// Sets the breaker on `length` bytes of UTF-8 text. Returns 0, VB_STATUS_INVALID_UTF8 (the
/// UTF-16 and rules routes validate; see vb_breaker_invalid_offset), or a nonzero ICU
/// error code. The UTF-8 route does not validate: validate before calling.
int32_t vb_breaker_set_text(vb_breaker *breaker, const uint8_t *text, int64_t length);

/// After VB_STATUS_INVALID_UTF8: the byte offset of the first ill-formed sequence.
int64_t vb_breaker_invalid_offset(const vb_breaker *breaker);

/// Fills up to `capacity` consecutive spans after the last one returned: span i covers
/// [previous end, ends[i]) and has class classes[i] (VB_SPAN_*; 0 for sentence breakers).
/// Returns the number of spans written, 0 when the text is exhausted.
int32_t vb_breaker_next_spans(vb_breaker *breaker, int64_t *ends, uint8_t *classes, int32_t capacity);

/// Normalises one term (UTF-8 in, UTF-8 out): optional full case folding (ICU default
/// folding), NFC, and optional accent folding (NFD, drop nonspacing marks, NFC).
/// Writes at most `capacity` bytes; returns the length needed (may exceed capacity: call
/// again with a larger buffer), or -1 on an ICU error.
enum { VB_NORM_FOLD_CASE = 1, VB_NORM_FOLD_ACCENTS = 2 };
int32_t vb_normalize_term(const uint8_t *text, int32_t length, int32_t options, uint8_t *output,
                          int32_t capacity);

/// Returns 1 when the UTF-8 text is certainly in NFC (ICU quick check "yes" for every code
/// point), 0 when it may not be. Scalars below U+0300 are checked without calling ICU.
int32_t vb_utf8_is_nfc_quick(const uint8_t *text, int64_t length);

/// Returns the Unicode general category class of a scalar: 1 for symbols (S*), 2 for
/// punctuation (P*), 3 for separators and controls (Z*, C*), 4 for letters and marks, 5 for
/// numbers.
int32_t vb_scalar_class(uint32_t scalar);

/// Asks the processor to bring the cache line at `address` closer (a hint; never faults).
static inline void vb_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

/// The ICU version string, e.g. "72.1".
const char *vb_icu_version(void);

#ifdef __cplusplus
}
#endif

#endif
