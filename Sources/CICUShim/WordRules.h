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
