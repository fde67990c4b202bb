// ICU's word-break rules (icu4c/source/data/brkitr/rules/word.txt, ICU 72: UAX #29 with ICU's
// rule statuses), replayed directly over UTF-8 for texts whose every code point is in the
// Basic Multilingual Plane and has one of the classes of WordRules.h. Everything else (Hebrew
// letters, kana, ideographs, Hangul, complex-context scripts, emoji, ZWJ, regional indicators,
// supplementary planes) sends the whole text to ICU's own iterator. The classes come from ICU
// itself (u_getIntPropertyValue, see vb_wb_load in CICUShim.c), and a test compares every
// boundary and class with ICU's iterator on the shared corpora and on seeded random strings
// over every class (Tests/VerbatimAnalysisTests/WordRulesTests.swift).
//
// The rules, in the order ICU applies them (× no break, ÷ break; "base" = not Extend/Format):
//   3    CR × LF                          3a/3b  ÷ after and before CR, LF, Newline
//   3d   WSegSpace × WSegSpace            4      × (Extend | Format): they attach to what precedes
//        ÷ after leading Extend/Format (ICU's `^$ExFm+`)
//   5    AL × AL                          6/7    AL × (MidLetter|MidNumLet|') × AL
//   8    Num × Num                        9/10   AL × Num, Num × AL
//   11/12 Num × (MidNum|MidNumLet|') × Num
//   13a/b (AL|Num|ENL) × ENL, ENL × (AL|Num)   999  ÷ otherwise
// Rule status (ICU sets it from the last rule matched, so from the span's last base):
// Numeric 100, ALetter 200; a final ExtendNumLet joined to something 200, or 100 after a number
// (13a), none if Extend follows it; everything else none.
#include "WordRules.h"

#include "CICUShim.h"

uint8_t vb_wb_class[0x10000];

enum { NONE = VB_WB_UNSUPPORTED };

// 1 for ASCII letters, 2 for ASCII digits: the runs the scanner skips in one loop.
static const uint8_t vb_ascii_run[256] = {
    ['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2, ['5'] = 2, ['6'] = 2, ['7'] = 2,
    ['8'] = 2, ['9'] = 2,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1,
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
    ['Y'] = 1, ['Z'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1,
    ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1,
    ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};

// The high bit of each byte of `eight` (little-endian) that is not an ASCII letter, as
// vb_ascii_run == 1 says: with the high bit cleared and 0x20 set, a letter is in 0x61...0x7A,
// and adding 0x1F (resp. 0x05) to such a byte sets its high bit from 0x61 (resp. 0x7B) on,
// without carrying into the next byte.
static inline uint64_t vb_non_letters(uint64_t eight) {
  const uint64_t high = 0x8080808080808080ULL;
  uint64_t folded = (eight & ~high) | 0x2020202020202020ULL;
  uint64_t from_a = folded + 0x1F1F1F1F1F1F1F1FULL;
  uint64_t past_z = folded + 0x0505050505050505ULL;
  return (~from_a | past_z | eight) & high;
}

// 1 for the ASCII bytes but the space: what may follow a space the fast path below takes
// (one look-up rather than two tests: measured: vb_wb_next_spans 220.5 → 217.9 M instructions).
static const uint8_t vb_ascii_but_space[256] = {[0 ... 0x1F] = 1, [0x21 ... 0x7F] = 1};

// The vb_ascii_run bit that continues a span whose last code point has a class: 1 after a
// letter, 2 after a digit, 0 after anything else (index 255: no base yet); one look-up where
// the loop tested the class twice (measured: vb_wb_next_spans 241.6 → 220.5 M instructions).
static const uint8_t vb_run_of_class[256] = {
    [VB_WB_ALETTER] = 1,
    [VB_WB_NUMERIC] = 2,
};

int32_t vb_wb_check(const uint8_t *text, int64_t length, int64_t *invalid_offset) {
  int32_t supported = 1;
  int64_t i = 0;
  while (i < length) {
    if (i + 8 <= length) {
      uint64_t eight;
      __builtin_memcpy(&eight, text + i, sizeof eight);
      uint64_t high = eight & 0x8080808080808080ULL;
      if (high == 0) {
        i += 8;
        continue;
      }
      // Straight to the first non-ASCII byte, not a byte at a time: French has one every few
      // words (measured: vb_wb_check 36.8 → 24.3 M instructions).
      i += __builtin_ctzll(high) >> 3;
    }
    if (text[i] < 0x80) {
      i += 1;
      continue;
    }
    uint32_t scalar;
    int size = vb_utf8_decode(text, length, i, &scalar);
    if (size == 0) {
      *invalid_offset = i;
      return -1;
    }
    if (size == 4 || vb_wb_class[scalar] == VB_WB_UNSUPPORTED) supported = 0;
    i += size;
  }
  return supported;
}

// The class of the (well-formed, BMP) code point at `i`; its size in bytes in *size.
static inline uint8_t vb_wb_at(const uint8_t *text, int64_t i, int *size) {
  uint32_t lead = text[i];
  if (lead < 0x80) {
    *size = 1;
    return vb_wb_class[lead];
  }
  if (lead < 0xE0) {
    *size = 2;
    return vb_wb_class[((lead & 0x1F) << 6) | (text[i + 1] & 0x3F)];
  }
  *size = 3;
  return vb_wb_class[((lead & 0x0F) << 12) | ((uint32_t)(text[i + 1] & 0x3F) << 6) |
                     (text[i + 2] & 0x3F)];
}

// The class of the first base at or after `i` (VB_WB_OTHER at the end of the text).
static inline uint8_t vb_wb_next_base(const uint8_t *text, int64_t length, int64_t i) {
  while (i < length) {
    int size;
    uint8_t cat = vb_wb_at(text, i, &size);
    if (cat != VB_WB_EXTEND) return cat;
    i += size;
  }
  return VB_WB_OTHER;
}

static inline int vb_wb_is_mid_letter(uint8_t cat) {
  return cat == VB_WB_MIDLETTER || cat == VB_WB_MIDNUMLET || cat == VB_WB_SINGLE_QUOTE;
}

static inline int vb_wb_is_mid_num(uint8_t cat) {
  return cat == VB_WB_MIDNUM || cat == VB_WB_MIDNUMLET || cat == VB_WB_SINGLE_QUOTE;
}

// Whether ICU breaks before a code point of class `cat` at `i` (its size `size`).
static inline int vb_wb_breaks(const uint8_t *text, int64_t length, int64_t i, int size,
                               uint8_t cat, uint8_t prev_cat, uint8_t pb, uint8_t ppb) {
  if (prev_cat == VB_WB_CR && cat == VB_WB_LF) return 0;  // 3
  if (prev_cat == VB_WB_CR || prev_cat == VB_WB_LF || prev_cat == VB_WB_NEWLINE) return 1;
  if (cat == VB_WB_CR || cat == VB_WB_LF || cat == VB_WB_NEWLINE) return 1;  // 3a, 3b
  if (prev_cat == VB_WB_WSEGSPACE && cat == VB_WB_WSEGSPACE) return 0;    // 3d
  if (cat == VB_WB_EXTEND) return 0;                                       // 4
  if (pb == NONE) return 1;  // after leading Extend/Format
  switch (cat) {
  case VB_WB_ALETTER:
    if (pb == VB_WB_ALETTER || pb == VB_WB_NUMERIC || pb == VB_WB_EXTENDNUMLET) return 0;  // 5, 10, 13b
    if (vb_wb_is_mid_letter(pb) && ppb == VB_WB_ALETTER) return 0;                         // 7
    return 1;
  case VB_WB_NUMERIC:
    if (pb == VB_WB_NUMERIC || pb == VB_WB_ALETTER || pb == VB_WB_EXTENDNUMLET) return 0;  // 8, 9, 13b
    if (vb_wb_is_mid_num(pb) && ppb == VB_WB_NUMERIC) return 0;                            // 11
    return 1;
  case VB_WB_EXTENDNUMLET:
    return !(pb == VB_WB_ALETTER || pb == VB_WB_NUMERIC || pb == VB_WB_EXTENDNUMLET);  // 13a
  case VB_WB_MIDLETTER:
  case VB_WB_MIDNUM:
  case VB_WB_MIDNUMLET:
  case VB_WB_SINGLE_QUOTE:
    if (pb == VB_WB_ALETTER && vb_wb_is_mid_letter(cat) &&
        vb_wb_next_base(text, length, i + size) == VB_WB_ALETTER)
      return 0;  // 6
    if (pb == VB_WB_NUMERIC && vb_wb_is_mid_num(cat) &&
        vb_wb_next_base(text, length, i + size) == VB_WB_NUMERIC)
      return 0;  // 12
    return 1;
  default:
    return 1;  // 999
  }
}

// vb_wb_breaks where vb_wb_decision says it depends and the previous code point is a base
// (so `pb`): a Mid* after a letter or a number, or a letter or a number after a Mid*. Only
// rules 6, 7, 11 and 12 can apply there; the general function tests every rule before them
// (measured: vb_wb_next_spans and vb_wb_next_base 266.8 → 252.0 M instructions).
static inline int vb_wb_breaks_mid(const uint8_t *text, int64_t length, int64_t i, int size,
                                   uint8_t cat, uint8_t pb, uint8_t ppb) {
  switch (cat) {
  case VB_WB_ALETTER: return !(ppb == VB_WB_ALETTER && vb_wb_is_mid_letter(pb));  // 7
  case VB_WB_NUMERIC: return !(ppb == VB_WB_NUMERIC && vb_wb_is_mid_num(pb));     // 11
  default:
    if (pb == VB_WB_ALETTER)  // 6
      return !(vb_wb_is_mid_letter(cat) && vb_wb_next_base(text, length, i + size) == VB_WB_ALETTER);
    return !(vb_wb_is_mid_num(cat) && vb_wb_next_base(text, length, i + size) == VB_WB_NUMERIC);  // 12
  }
}

// Whether ICU breaks between two code points of classes (previous, current) when the previous
// one is a base (not Extend): 0 no, 1 yes, 2 it depends on the code points around them (the
// Mid* rules 6, 7, 11 and 12). Filled once from vb_wb_breaks itself by vb_wb_fill_decisions.
enum { VB_WB_JOIN = 0, VB_WB_BREAK = 1, VB_WB_CONTEXT = 2, VB_WB_CLASSES = VB_WB_WSEGSPACE + 1 };
static uint8_t vb_wb_decision[VB_WB_CLASSES][VB_WB_CLASSES];

void vb_wb_fill_decisions(void) {
  static const uint8_t nothing[1] = {0};
  for (uint8_t previous = 0; previous < VB_WB_CLASSES; previous++) {
    for (uint8_t current = 0; current < VB_WB_CLASSES; current++) {
      int previousWord = previous == VB_WB_ALETTER || previous == VB_WB_NUMERIC;
      int currentWord = current == VB_WB_ALETTER || current == VB_WB_NUMERIC;
      int previousMid = vb_wb_is_mid_letter(previous) || vb_wb_is_mid_num(previous);
      int currentMid = vb_wb_is_mid_letter(current) || vb_wb_is_mid_num(current);
      if (previous == VB_WB_EXTEND || (previousWord && currentMid) || (previousMid && currentWord)) {
        vb_wb_decision[previous][current] = VB_WB_CONTEXT;
      } else {
        // No rule left here looks beyond the two code points (nor at the text).
        vb_wb_decision[previous][current] =
            (uint8_t)vb_wb_breaks(nothing, 0, 0, 1, current, previous, previous, NONE);
      }
    }
  }
}

// The VB_SPAN_* class vb_breaker_next_spans reports for the span [start, …): the ASCII
// first-unit shortcut, else ICU's rule status as the span's last base sets it.
// The shortcut is one look-up in vb_first_byte_class, the other ASCII bytes being
// VB_SPAN_NONE (0), rather than three tests of the byte (measured: vb_wb_next_spans 252.0 →
// 241.6 M instructions).
enum { VB_SPAN_FROM_RULES = 0xFF };
static const uint8_t vb_first_byte_class[256] = {
    ['0' ... '9'] = VB_SPAN_NUMBER,
    ['A' ... 'Z'] = VB_SPAN_LETTER,
    ['a' ... 'z'] = VB_SPAN_LETTER,
    ['_'] = VB_SPAN_FROM_RULES,
    [0x80 ... 0xFF] = VB_SPAN_FROM_RULES,
};

static inline uint8_t vb_wb_span_class(const uint8_t *text, int64_t start, uint8_t last_base,
                                       uint8_t prev_base, uint8_t ends_in_base) {
  uint8_t shortcut = vb_first_byte_class[text[start]];
  if (shortcut != VB_SPAN_FROM_RULES) return shortcut;
  switch (last_base) {
  case VB_WB_NUMERIC: return VB_SPAN_NUMBER;
  case VB_WB_ALETTER: return VB_SPAN_LETTER;
  case VB_WB_EXTENDNUMLET:
    if (!ends_in_base || prev_base == NONE) return VB_SPAN_NONE;
    return prev_base == VB_WB_NUMERIC ? VB_SPAN_NUMBER : VB_SPAN_LETTER;
  default: return VB_SPAN_NONE;
  }
}

int32_t vb_wb_next_spans(vb_wb_state *state, const uint8_t *text, int64_t length, int64_t *ends,
                         uint8_t *classes, int32_t capacity) {
  if (state->done) return 0;
  if (!state->started) {
    state->started = 1;
    if (length == 0) {
      state->done = 1;
      return 0;
    }
    int size;
    uint8_t cat = vb_wb_at(text, 0, &size);
    int base = cat != VB_WB_EXTEND;
    state->position = size;
    state->span_start = 0;
    state->prev_cat = cat;
    state->prev_base = base ? cat : NONE;
    state->prev_prev_base = NONE;
    state->span_last_base = base ? cat : NONE;
    state->span_prev_base = NONE;
    state->ends_in_base = (uint8_t)base;
  }
  int64_t i = state->position, start = state->span_start;
  uint8_t prev_cat = state->prev_cat, pb = state->prev_base, ppb = state->prev_prev_base;
  uint8_t last = state->span_last_base, before = state->span_prev_base, ends_in_base = state->ends_in_base;
  int32_t count = 0;
  while (i < length) {
    // Inside a word or a number, whole runs of ASCII letters or digits join (rules 5, 8) and
    // leave the state as one of them would.
    if (prev_cat == pb) {
      uint8_t run = vb_run_of_class[pb];
      if (vb_ascii_run[text[i]] & run) {
        // Letters eight at a time where eight bytes remain: most words end within the first eight
        // (measured: vb_wb_next_spans 276 → 264 M instructions).
        if (run == 1) {
          while (i + 8 <= length) {
            uint64_t eight;
            __builtin_memcpy(&eight, text + i, sizeof eight);
            uint64_t others = vb_non_letters(eight);
            if (others != 0) {
              i += __builtin_ctzll(others) >> 3;
              goto run_done;
            }
            i += 8;
          }
        }
        while (i < length && vb_ascii_run[text[i]] == run) i += 1;
      run_done:
        ppb = pb;
        before = last;
        ends_in_base = 1;
        if (i >= length) break;
      }
    }
    if (count == capacity) break;
    // One ASCII space between two words (1.4 M times on 9.6 MB of French): ICU breaks before
    // it unless a WSegSpace precedes (3d), and after it before any ASCII code point but another
    // space (ASCII has no Extend or Format for rule 4), so both spans are written here and the
    // state set as the generic path would leave it after that code point, saving it two rounds
    // (measured: vb_wb_next_spans 392 → 276 M instructions for the whole run).
    if (text[i] == ' ' && prev_cat != VB_WB_WSEGSPACE && i + 1 < length && count + 2 <= capacity) {
      uint8_t next = text[i + 1];
      if (vb_ascii_but_space[next]) {
        uint8_t cat = vb_wb_class[next];
        ends[count] = i;
        classes[count] = vb_wb_span_class(text, start, last, before, ends_in_base);
        ends[count + 1] = i + 1;
        classes[count + 1] = VB_SPAN_NONE;
        count += 2;
        start = i + 1;
        before = NONE;
        last = cat;
        ends_in_base = 1;
        ppb = vb_wb_class[' '];
        pb = cat;
        prev_cat = cat;
        i += 2;
        continue;
      }
    }
    int size;
    uint8_t cat = vb_wb_at(text, i, &size);
    int brk = vb_wb_decision[prev_cat][cat];
    if (brk == VB_WB_CONTEXT) {
      brk = prev_cat == VB_WB_EXTEND ? vb_wb_breaks(text, length, i, size, cat, prev_cat, pb, ppb)
                                     : vb_wb_breaks_mid(text, length, i, size, cat, pb, ppb);
    }
    if (brk) {
      ends[count] = i;
      classes[count] = vb_wb_span_class(text, start, last, before, ends_in_base);
      count += 1;
      start = i;
      before = NONE;
      if (cat == VB_WB_EXTEND) {
        last = NONE;
        ends_in_base = 0;
      } else {
        last = cat;
        ends_in_base = 1;
      }
    } else if (cat != VB_WB_EXTEND) {
      before = last;
      last = cat;
      ends_in_base = 1;
    } else {
      ends_in_base = 0;
    }
    if (cat != VB_WB_EXTEND) {
      ppb = pb;
      pb = cat;
    }
    prev_cat = cat;
    i += size;
  }
  if (i >= length && count < capacity) {
    ends[count] = length;
    classes[count] = vb_wb_span_class(text, start, last, before, ends_in_base);
    count += 1;
    state->done = 1;
  }
  state->position = i;
  state->span_start = start;
  state->prev_cat = prev_cat;
  state->prev_base = pb;
  state->prev_prev_base = ppb;
  state->span_last_base = last;
  state->span_prev_base = before;
  state->ends_in_base = ends_in_base;
  return count;
}
