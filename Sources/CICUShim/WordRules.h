// Internal to CICUShim: ICU's word-break rules replayed over UTF-8 for texts whose every
// character has a word-break class the rules below cover. See WordRules.c.
#ifndef VB_WORD_RULES_H
#define VB_WORD_RULES_H

#include <stdint.h>

/// Word_Break classes as the replayed rules see them (ICU's `word.txt` names).
enum {
  VB_WB_OTHER = 0,
  VB_WB_CR,
  VB_WB_LF,
  VB_WB_NEWLINE,
  VB_WB_EXTEND,        ///< Extend and Format: both attach to what precedes them (rule 4)
  VB_WB_ALETTER,
  VB_WB_MIDLETTER,
  VB_WB_MIDNUM,
  VB_WB_MIDNUMLET,
  VB_WB_SINGLE_QUOTE,
  VB_WB_NUMERIC,
  VB_WB_EXTENDNUMLET,
  VB_WB_WSEGSPACE,
  VB_WB_UNSUPPORTED = 255  ///< the text goes to ICU's own iterator
};

/// Decodes the UTF-8 sequence at text[i] (i < length), as RFC 3629 allows it: no overlong
/// forms, no surrogates, nothing above U+10FFFF. Returns its size (1 to 4) with the scalar in
/// *scalar, or 0 when the sequence is ill-formed.
static inline int vb_utf8_decode(const uint8_t *text, int64_t length, int64_t i, uint32_t *scalar) {
  uint32_t lead = text[i];
  if (lead < 0x80) {
    *scalar = lead;
    return 1;
  }
  int size;
  uint32_t lower = 0x80, upper = 0xBF, value;
  if (lead >= 0xC2 && lead <= 0xDF) {
    size = 2; value = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    size = 3; value = lead & 0x0F;
    if (lead == 0xE0) lower = 0xA0;
    if (lead == 0xED) upper = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    size = 4; value = lead & 0x07;
    if (lead == 0xF0) lower = 0x90;
    if (lead == 0xF4) upper = 0x8F;
  } else {
    return 0;
  }
  if (i + size > length || text[i + 1] < lower || text[i + 1] > upper) return 0;
  for (int k = 1; k < size; k++) {
    uint32_t next = text[i + k];
    if ((next & 0xC0) != 0x80) return 0;
    value = (value << 6) | (next & 0x3F);
  }
  *scalar = value;
  return size;
}

/// The class of every BMP code point (VB_WB_*), filled once from ICU's properties.
extern uint8_t vb_wb_class[0x10000];

/// Fills vb_wb_class and the pair decisions (once per process, thread-safe).
void vb_wb_load(void);

/// Fills the table of break decisions between two classes (called by vb_wb_load).
void vb_wb_fill_decisions(void);

/// Scanner state between batches (the text itself lives in the breaker).
typedef struct {
  int64_t position;     ///< byte offset of the next code point to decide a break before
  int64_t span_start;   ///< byte offset where the current span starts
  uint8_t prev_cat;     ///< class of the code point just before `position`
  uint8_t prev_base;    ///< class of the last non-Extend code point (VB_WB_UNSUPPORTED: none)
  uint8_t prev_prev_base;
  uint8_t span_last_base;  ///< last base in the current span (VB_WB_UNSUPPORTED: none)
  uint8_t span_prev_base;  ///< the base before it in the same span
  uint8_t ends_in_base;    ///< the span's last code point is a base
  uint8_t started;
  uint8_t done;
} vb_wb_state;

/// Checks that `text` is well-formed UTF-8 (RFC 3629) and whether every code point has a
/// supported class. Returns 1 (supported), 0 (well-formed, not supported), or -1 (ill-formed:
/// *invalid_offset is the first bad byte).
int32_t vb_wb_check(const uint8_t *text, int64_t length, int64_t *invalid_offset);

/// Writes up to `capacity` spans (UTF-8 end offsets and VB_SPAN_* classes, the first-unit
/// shortcut of vb_breaker_next_spans included) of a text vb_wb_check accepted. Returns the
/// number written; 0 once the text is exhausted.
int32_t vb_wb_next_spans(vb_wb_state *state, const uint8_t *text, int64_t length, int64_t *ends,
                         uint8_t *classes, int32_t capacity);

#endif
