// The only file of Verbatim that includes ICU's headers. See include/CICUShim.h.
#include "CICUShim.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/uversion.h>

#include "WordRules.h"

struct vb_breaker {
  UBreakIterator *iterator;
  int32_t kind;
  int32_t route;
  UText *utext;          // UTF-8 route
  UChar *utf16;          // UTF-16 route: the text converted, grown as needed
  int32_t utf16_capacity;
  const uint8_t *text;   // caller's UTF-8 text
  int64_t length;
  // UTF-16 route: the non-ASCII units, as (index + 1, cumulative extra UTF-8 bytes up to and
  // including that unit); a UTF-16 offset maps to offset + the extra of the units before it.
  int32_t *extras;
  int32_t extras_count;
  int32_t extras_capacity;
  int32_t extras_next;   // cursor: entries before it are at or before the last mapped offset
  int64_t extra;         // cumulative extra at the cursor
  int64_t invalid_offset;  // after VB_STATUS_INVALID_UTF8: the first ill-formed byte
  int done;
  int32_t mode;          // the route used for the current text (VB_ROUTE_*)
  vb_wb_state rules;     // VB_ROUTE_RULES: the replayed rules' state
};

// The word-break class table of WordRules.c, from ICU's own properties.
static void vb_wb_fill(void) {
  for (UChar32 c = 0; c < 0x10000; c++) {
    uint8_t cat;
    int32_t lineBreak = u_getIntPropertyValue(c, UCHAR_LINE_BREAK);
    if ((c >= 0xD800 && c <= 0xDFFF) || (c >= 0xAC00 && c <= 0xD7A3) ||
        lineBreak == U_LB_COMPLEX_CONTEXT || u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC) ||
        u_getIntPropertyValue(c, UCHAR_SCRIPT) == USCRIPT_HAN ||
        u_getIntPropertyValue(c, UCHAR_SCRIPT) == USCRIPT_HIRAGANA) {
      vb_wb_class[c] = VB_WB_UNSUPPORTED;  // ICU's dictionary and CJK rules
      continue;
    }
    switch (u_getIntPropertyValue(c, UCHAR_WORD_BREAK)) {
    case U_WB_OTHER: cat = VB_WB_OTHER; break;
    case U_WB_DOUBLE_QUOTE: cat = VB_WB_OTHER; break;  // joins only Hebrew letters (unsupported)
    case U_WB_CR: cat = VB_WB_CR; break;
    case U_WB_LF: cat = VB_WB_LF; break;
    case U_WB_NEWLINE: cat = VB_WB_NEWLINE; break;
    case U_WB_EXTEND:
    case U_WB_FORMAT: cat = VB_WB_EXTEND; break;
    case U_WB_ALETTER: cat = VB_WB_ALETTER; break;
    case U_WB_MIDLETTER: cat = VB_WB_MIDLETTER; break;
    case U_WB_MIDNUM: cat = VB_WB_MIDNUM; break;
    case U_WB_MIDNUMLET: cat = VB_WB_MIDNUMLET; break;
    case U_WB_SINGLE_QUOTE: cat = VB_WB_SINGLE_QUOTE; break;
    case U_WB_NUMERIC: cat = VB_WB_NUMERIC; break;
    case U_WB_EXTENDNUMLET: cat = VB_WB_EXTENDNUMLET; break;
    case U_WB_WSEGSPACE: cat = VB_WB_WSEGSPACE; break;
    default: cat = VB_WB_UNSUPPORTED; break;  // ZWJ, Hebrew, Katakana, regional indicators, emoji
    }
    vb_wb_class[c] = cat;
  }
  // ICU's word.txt departs from the Word_Break property here (found by WordRulesTests):
  vb_wb_class['@'] = VB_WB_ALETTER;  // `$ALetter` includes @ (e-mail addresses stay whole)
  vb_wb_class[':'] = VB_WB_OTHER;     // `$MidLetter` leaves out the colons
  vb_wb_class[0xFE55] = VB_WB_OTHER;
  vb_wb_class[0xFF1A] = VB_WB_OTHER;
  vb_wb_fill_decisions();
}

static pthread_once_t vb_wb_once = PTHREAD_ONCE_INIT;

void vb_wb_load(void) { pthread_once(&vb_wb_once, vb_wb_fill); }

vb_breaker *vb_breaker_open(int32_t kind, const char *locale, int32_t route, int32_t *status) {
  UErrorCode error = U_ZERO_ERROR;
  UBreakIterator *iterator =
      ubrk_open(kind == VB_BREAK_SENTENCE ? UBRK_SENTENCE : UBRK_WORD, locale, NULL, 0, &error);
  if (U_FAILURE(error)) {
    *status = (int32_t)error;
    return NULL;
  }
  vb_breaker *breaker = calloc(1, sizeof(vb_breaker));
  if (breaker == NULL) {
    ubrk_close(iterator);
    *status = (int32_t)U_MEMORY_ALLOCATION_ERROR;
    return NULL;
  }
  breaker->iterator = iterator;
  breaker->kind = kind;
  breaker->route = route;
  breaker->mode = route;
  breaker->done = 1;
  if (route == VB_ROUTE_RULES && kind == VB_BREAK_WORD) vb_wb_load();
  *status = 0;
  return breaker;
}

void vb_breaker_close(vb_breaker *breaker) {
  if (breaker == NULL) return;
  ubrk_close(breaker->iterator);
  if (breaker->utext) utext_close(breaker->utext);
  free(breaker->utf16);
  free(breaker->extras);
  free(breaker);
}

// Appends one (offset after the unit, cumulative extra) entry; 0 or an ICU error code.
static inline int32_t vb_push_extra(vb_breaker *breaker, int32_t after, int32_t extra) {
  if (breaker->extras_count == breaker->extras_capacity) {
    int32_t capacity = breaker->extras_capacity ? breaker->extras_capacity * 2 : 4096;
    int32_t *grown = realloc(breaker->extras, (size_t)capacity * 2 * sizeof(int32_t));
    if (grown == NULL) return (int32_t)U_MEMORY_ALLOCATION_ERROR;
    breaker->extras = grown;
    breaker->extras_capacity = capacity;
  }
  breaker->extras[2 * breaker->extras_count] = after;
  breaker->extras[2 * breaker->extras_count + 1] = extra;
  breaker->extras_count += 1;
  return 0;
}

// Converts well-formed UTF-8 to UTF-16 in one pass, recording for each non-ASCII character
// how many more UTF-8 bytes than UTF-16 units it takes (1 for U+0080..U+07FF, 2 above, 2 for
// a supplementary character's pair). Validates as RFC 3629 does (no overlongs, surrogates, or
// values above U+10FFFF); on ill-formed input stores the first bad byte's offset in
// breaker->invalid_offset and returns VB_STATUS_INVALID_UTF8. Eight ASCII bytes at a time.
static int32_t vb_convert(vb_breaker *breaker, const uint8_t *text, int64_t length, int32_t *units) {
  UChar *out = breaker->utf16;
  int64_t i = 0;
  int32_t u = 0;
  int32_t extra = 0;
  breaker->extras_count = 0;
  while (i < length) {
    if (i + 8 <= length) {
      uint64_t eight;
      memcpy(&eight, text + i, sizeof eight);
      if ((eight & 0x8080808080808080ULL) == 0) {
        for (int k = 0; k < 8; k++) out[u + k] = text[i + k];
        i += 8;
        u += 8;
        continue;
      }
    }
    if (text[i] < 0x80) {
      out[u++] = (UChar)text[i];
      i += 1;
      continue;
    }
    uint32_t scalar;
    int size = vb_utf8_decode(text, length, i, &scalar);
    if (size == 0) {
      breaker->invalid_offset = i;
      return VB_STATUS_INVALID_UTF8;
    }
    i += size;
    if (scalar < 0x10000) {
      out[u++] = (UChar)scalar;
      extra += size - 1;
    } else {
      scalar -= 0x10000;
      out[u++] = (UChar)(0xD800 | (scalar >> 10));
      out[u++] = (UChar)(0xDC00 | (scalar & 0x3FF));
      extra += 2;
    }
    int32_t status = vb_push_extra(breaker, u, extra);
    if (status != 0) return status;
  }
  *units = u;
  return 0;
}

int32_t vb_breaker_set_text(vb_breaker *breaker, const uint8_t *text, int64_t length) {
  UErrorCode error = U_ZERO_ERROR;
  breaker->text = text;
  breaker->length = length;
  breaker->extras_count = 0;
  breaker->extras_next = 0;
  breaker->extra = 0;
  breaker->done = 0;
  static const uint8_t empty[1] = {0};
  if (text == NULL) text = empty;
  breaker->text = text;
  breaker->mode = breaker->route;
  if (breaker->route == VB_ROUTE_RULES) {
    breaker->mode = VB_ROUTE_UTF16;
    if (breaker->kind == VB_BREAK_WORD) {
      int32_t checked = vb_wb_check(text, length, &breaker->invalid_offset);
      if (checked < 0) return VB_STATUS_INVALID_UTF8;
      if (checked == 1) {
        breaker->mode = VB_ROUTE_RULES;
        memset(&breaker->rules, 0, sizeof breaker->rules);
        return 0;
      }
    }
  }
  if (breaker->mode == VB_ROUTE_UTF8) {
    breaker->utext = utext_openUTF8(breaker->utext, (const char *)text, length, &error);
    if (U_FAILURE(error)) return (int32_t)error;
    ubrk_setUText(breaker->iterator, breaker->utext, &error);
  } else {
    if (length > INT32_MAX / 2) return (int32_t)U_INDEX_OUTOFBOUNDS_ERROR;
    int32_t needed = (int32_t)length + 1;  // UTF-16 never needs more units than UTF-8 bytes
    if (needed > breaker->utf16_capacity) {
      UChar *grown = realloc(breaker->utf16, (size_t)needed * sizeof(UChar));
      if (grown == NULL) return (int32_t)U_MEMORY_ALLOCATION_ERROR;
      breaker->utf16 = grown;
      breaker->utf16_capacity = needed;
    }
    int32_t units = 0;
    int32_t status = vb_convert(breaker, text, length, &units);
    if (status != 0) return status;
    ubrk_setText(breaker->iterator, breaker->utf16, units, &error);
  }
  if (U_FAILURE(error)) return (int32_t)error;
  ubrk_first(breaker->iterator);
  return 0;
}

static uint8_t vb_class_of_status(int32_t status) {
  if (status < UBRK_WORD_NONE_LIMIT) return VB_SPAN_NONE;
  if (status < UBRK_WORD_NUMBER_LIMIT) return VB_SPAN_NUMBER;
  if (status < UBRK_WORD_LETTER_LIMIT) return VB_SPAN_LETTER;
  if (status < UBRK_WORD_KANA_LIMIT) return VB_SPAN_KANA;
  return VB_SPAN_IDEO;
}

// The class of a span from its first code unit when that is enough: ASCII letters start
// letter spans, ASCII digits number spans (Swift re-checks them for letters), other ASCII
// starts a "none" span (spaces, punctuation). Anything else asks ICU's rule status, which
// costs a call per boundary (about 5% of the chain's time on French prose).
static inline int vb_ascii_class(uint32_t unit) {
  if (unit >= 0x80 || unit == '_') return -1;  // '_' (ExtendNumLet) may start a word
  if ((unit | 0x20) - 'a' < 26) return VB_SPAN_LETTER;
  if (unit - '0' < 10) return VB_SPAN_NUMBER;
  return VB_SPAN_NONE;
}

int32_t vb_breaker_next_spans(vb_breaker *breaker, int64_t *restrict ends, uint8_t *restrict classes,
                              int32_t capacity) {
  if (breaker->done) return 0;
  if (breaker->mode == VB_ROUTE_RULES) {
    int32_t count = vb_wb_next_spans(&breaker->rules, breaker->text, breaker->length, ends, classes, capacity);
    if (count == 0) breaker->done = 1;
    return count;
  }
  UBreakIterator *iterator = breaker->iterator;
  const int isWord = breaker->kind == VB_BREAK_WORD;
  const int isUTF8 = breaker->mode == VB_ROUTE_UTF8;
  const uint8_t *text = breaker->text;
  const UChar *units = breaker->utf16;
  // The mapping cursor lives in locals: stores to `ends` cannot then force reloads.
  const int32_t *extras = breaker->extras;
  const int32_t extrasCount = breaker->extras_count;
  int32_t next = breaker->extras_next;
  int64_t extra = breaker->extra;
  int32_t nextAt = next < extrasCount ? extras[2 * next] : INT32_MAX;
  int32_t count = 0;
  int32_t previous = ubrk_current(iterator);
  while (count < capacity) {
    int32_t end = ubrk_next(iterator);
    if (end == UBRK_DONE) {
      breaker->done = 1;
      break;
    }
    if (isUTF8) {
      ends[count] = end;
    } else {
      while (nextAt <= end) {
        extra = extras[2 * next + 1];
        next += 1;
        nextAt = next < extrasCount ? extras[2 * next] : INT32_MAX;
      }
      ends[count] = (int64_t)end + extra;
    }
    if (isWord) {
      uint32_t first = isUTF8 ? text[previous] : units[previous];
      int quick = vb_ascii_class(first);
      classes[count] = quick >= 0 ? (uint8_t)quick : vb_class_of_status(ubrk_getRuleStatus(iterator));
    } else {
      classes[count] = 0;
    }
    previous = end;
    count += 1;
  }
  breaker->extras_next = next;
  breaker->extra = extra;
  return count;
}

// UTF-8 → UTF-16 into `stack` when it fits, else into a malloc'd buffer stored in *heap.
static UChar *vb_to_utf16(const uint8_t *text, int32_t length, UChar *stack, int32_t stackCapacity,
                          UChar **heap, int32_t *units) {
  UErrorCode error = U_ZERO_ERROR;
  u_strFromUTF8(stack, stackCapacity, units, (const char *)text, length, &error);
  if (error == U_BUFFER_OVERFLOW_ERROR) {
    *heap = malloc(((size_t)*units + 1) * sizeof(UChar));
    if (*heap == NULL) return NULL;
    error = U_ZERO_ERROR;
    u_strFromUTF8(*heap, *units + 1, units, (const char *)text, length, &error);
    return U_FAILURE(error) ? NULL : *heap;
  }
  return U_FAILURE(error) ? NULL : stack;
}

typedef UChar *(*vb_transform)(const UChar *input, int32_t length, UChar *output, int32_t capacity,
                               int32_t *outLength, UErrorCode *error);

// Runs one UTF-16 → UTF-16 step with a growing buffer; frees the input if it was on the heap.
static UChar *vb_step(UChar *input, int32_t length, UChar *inputHeap, UChar **outHeap,
                      int32_t *outLength, int which, const UNormalizer2 *normalizer) {
  int32_t capacity = length * 3 + 16;
  UChar *output = malloc((size_t)capacity * sizeof(UChar));
  if (output == NULL) return NULL;
  UErrorCode error = U_ZERO_ERROR;
  int32_t produced;
  for (int attempt = 0; attempt < 2; attempt++) {
    error = U_ZERO_ERROR;
    if (which == 0) {
      produced = u_strFoldCase(output, capacity, input, length, U_FOLD_CASE_DEFAULT, &error);
    } else {
      produced = unorm2_normalize(normalizer, input, length, output, capacity, &error);
    }
    if (error != U_BUFFER_OVERFLOW_ERROR) break;
    free(output);
    capacity = produced + 1;
    output = malloc((size_t)capacity * sizeof(UChar));
    if (output == NULL) return NULL;
  }
  free(inputHeap);
  if (U_FAILURE(error)) {
    free(output);
    return NULL;
  }
  *outHeap = output;
  *outLength = produced;
  return output;
}

int32_t vb_normalize_term(const uint8_t *text, int32_t length, int32_t options, uint8_t *output,
                          int32_t capacity) {
  UErrorCode error = U_ZERO_ERROR;
  UChar stack[256];
  UChar *heap = NULL;
  int32_t units = 0;
  UChar *current = vb_to_utf16(text, length, stack, 256, &heap, &units);
  if (current == NULL) {
    free(heap);
    return -1;
  }
  UChar *currentHeap = heap;
  const UNormalizer2 *nfc = unorm2_getNFCInstance(&error);
  const UNormalizer2 *nfd = unorm2_getNFDInstance(&error);
  if (U_FAILURE(error)) {
    free(currentHeap);
    return -1;
  }
  UChar *next = NULL;
  if (options & VB_NORM_FOLD_CASE) {
    current = vb_step(current, units, currentHeap, &next, &units, 0, NULL);
    if (current == NULL) return -1;
    currentHeap = next;
  }
  if (options & VB_NORM_FOLD_ACCENTS) {
    current = vb_step(current, units, currentHeap, &next, &units, 1, nfd);
    if (current == NULL) return -1;
    currentHeap = next;
    int32_t kept = 0;
    for (int32_t i = 0; i < units;) {
      UChar32 c;
      int32_t start = i;
      U16_NEXT(current, i, units, c);
      if (u_charType(c) == U_NON_SPACING_MARK) continue;
      for (int32_t k = start; k < i; k++) current[kept++] = current[k];
    }
    units = kept;
  }
  current = vb_step(current, units, currentHeap, &next, &units, 1, nfc);
  if (current == NULL) return -1;
  currentHeap = next;
  int32_t written = 0;
  error = U_ZERO_ERROR;
  u_strToUTF8((char *)output, capacity, &written, current, units, &error);
  free(currentHeap);
  if (U_FAILURE(error) && error != U_BUFFER_OVERFLOW_ERROR && error != U_STRING_NOT_TERMINATED_WARNING)
    return -1;
  return written;
}

int32_t vb_utf8_is_nfc_quick(const uint8_t *text, int64_t length) {
  int64_t i = 0;
  uint8_t lastClass = 0;
  while (i < length) {
    uint8_t lead = text[i];
    if (lead < 0x80) {
      i += 1;
      lastClass = 0;
      continue;
    }
    UChar32 c;
    U8_NEXT(text, i, length, c);
    if (c < 0) return 0;
    if (c < 0x300) {
      lastClass = 0;
      continue;
    }
    if (u_getIntPropertyValue(c, UCHAR_NFC_QUICK_CHECK) != UNORM_YES) return 0;
    uint8_t combining = u_getCombiningClass(c);
    if (combining != 0 && lastClass > combining) return 0;
    lastClass = combining;
  }
  return 1;
}

int32_t vb_scalar_class(uint32_t scalar) {
  switch (u_charType((UChar32)scalar)) {
  case U_MATH_SYMBOL:
  case U_CURRENCY_SYMBOL:
  case U_MODIFIER_SYMBOL:
  case U_OTHER_SYMBOL:
    return 1;
  case U_DASH_PUNCTUATION:
  case U_START_PUNCTUATION:
  case U_END_PUNCTUATION:
  case U_CONNECTOR_PUNCTUATION:
  case U_OTHER_PUNCTUATION:
  case U_INITIAL_PUNCTUATION:
  case U_FINAL_PUNCTUATION:
    return 2;
  case U_DECIMAL_DIGIT_NUMBER:
  case U_LETTER_NUMBER:
  case U_OTHER_NUMBER:
    return 5;
  case U_UPPERCASE_LETTER:
  case U_LOWERCASE_LETTER:
  case U_TITLECASE_LETTER:
  case U_MODIFIER_LETTER:
  case U_OTHER_LETTER:
  case U_NON_SPACING_MARK:
  case U_ENCLOSING_MARK:
  case U_COMBINING_SPACING_MARK:
    return 4;
  default:
    return 3;
  }
}

int64_t vb_breaker_invalid_offset(const vb_breaker *breaker) { return breaker->invalid_offset; }

int32_t vb_breaker_uses_rules(const vb_breaker *breaker) { return breaker->mode == VB_ROUTE_RULES; }

const char *vb_icu_version(void) { return U_ICU_VERSION; }
