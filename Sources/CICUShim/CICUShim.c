// The only file of Verbatim that includes ICU's headers. See include/CICUShim.h.
#include "CICUShim.h"

#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utext.h>
#include <unicode/uversion.h>

struct vb_breaker {
  UBreakIterator *iterator;
  int32_t kind;
  int32_t route;
  UText *utext;          // UTF-8 route
  UChar *utf16;          // UTF-16 route: the text converted, grown as needed
  int32_t utf16_capacity;
  const uint8_t *text;   // caller's UTF-8 text
  int64_t length;
  int64_t map_u8;        // UTF-16 route: last mapped position, in UTF-8 bytes ...
  int32_t map_u16;       // ... and in UTF-16 units
  int done;
};

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
  breaker->done = 1;
  *status = 0;
  return breaker;
}

void vb_breaker_close(vb_breaker *breaker) {
  if (breaker == NULL) return;
  ubrk_close(breaker->iterator);
  if (breaker->utext) utext_close(breaker->utext);
  free(breaker->utf16);
  free(breaker);
}

int32_t vb_breaker_set_text(vb_breaker *breaker, const uint8_t *text, int64_t length) {
  UErrorCode error = U_ZERO_ERROR;
  breaker->text = text;
  breaker->length = length;
  breaker->map_u8 = 0;
  breaker->map_u16 = 0;
  breaker->done = 0;
  static const uint8_t empty[1] = {0};
  if (text == NULL) text = empty;
  if (breaker->route == VB_ROUTE_UTF8) {
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
    u_strFromUTF8(breaker->utf16, breaker->utf16_capacity, &units, (const char *)text,
                  (int32_t)length, &error);
    if (U_FAILURE(error)) return (int32_t)error;
    ubrk_setText(breaker->iterator, breaker->utf16, units, &error);
  }
  if (U_FAILURE(error)) return (int32_t)error;
  ubrk_first(breaker->iterator);
  return 0;
}

// Moves the UTF-16 → UTF-8 cursor forward to `target` UTF-16 units (well-formed UTF-8 assumed).
static int64_t vb_map_forward(vb_breaker *breaker, int32_t target) {
  const uint8_t *text = breaker->text;
  int64_t u8 = breaker->map_u8;
  int32_t u16 = breaker->map_u16;
  while (u16 < target && u8 < breaker->length) {
    uint8_t lead = text[u8];
    if (lead < 0x80) {
      u8 += 1; u16 += 1;
    } else if (lead < 0xE0) {
      u8 += 2; u16 += 1;
    } else if (lead < 0xF0) {
      u8 += 3; u16 += 1;
    } else {
      u8 += 4; u16 += 2;
    }
  }
  breaker->map_u8 = u8;
  breaker->map_u16 = u16;
  return u8;
}

static uint8_t vb_class_of_status(int32_t status) {
  if (status < UBRK_WORD_NONE_LIMIT) return VB_SPAN_NONE;
  if (status < UBRK_WORD_NUMBER_LIMIT) return VB_SPAN_NUMBER;
  if (status < UBRK_WORD_LETTER_LIMIT) return VB_SPAN_LETTER;
  if (status < UBRK_WORD_KANA_LIMIT) return VB_SPAN_KANA;
  return VB_SPAN_IDEO;
}

int32_t vb_breaker_next_spans(vb_breaker *breaker, int64_t *ends, uint8_t *classes, int32_t capacity) {
  if (breaker->done) return 0;
  UBreakIterator *iterator = breaker->iterator;
  int isWord = breaker->kind == VB_BREAK_WORD;
  int isUTF8 = breaker->route == VB_ROUTE_UTF8;
  int32_t count = 0;
  while (count < capacity) {
    int32_t end = ubrk_next(iterator);
    if (end == UBRK_DONE) {
      breaker->done = 1;
      break;
    }
    ends[count] = isUTF8 ? (int64_t)end : vb_map_forward(breaker, end);
    classes[count] = isWord ? vb_class_of_status(ubrk_getRuleStatus(iterator)) : 0;
    count += 1;
  }
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

const char *vb_icu_version(void) { return U_ICU_VERSION; }
