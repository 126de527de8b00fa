package dev.jbert.tokenizer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What the BERT normalizer followed by the BERT pre-tokenizer does with each code point,
 * precomputed once per {@link NormalizerSettings} so that the hot loop does one array lookup per
 * character and no Unicode work at all.
 *
 * <p>Every step of Hugging Face's {@code BertNormalizer} acts on one character at a time (clean
 * text, spaces around CJK, NFD plus dropping Mn, lowercasing), so the normalized text is the
 * concatenation of a per-code-point mapping. The pre-tokenizer then only asks, of each normalized
 * character, whether it is white space, punctuation or part of a word. Both answers are stored
 * here as one {@code int} per code point:
 *
 * <pre>
 *   bits 24..31  kind   KEEP, WORD, SPACE, ISOLATE, DROP or MULTI
 *   bits  0..20  value  the mapped code point (WORD, ISOLATE) or an expansion index (MULTI)
 * </pre>
 *
 * {@code KEEP} is 0, so a character that stays as it is inside a word has entry 0. The table is
 * two-level: pages of 256 code points, each computed the first time one of its code points is
 * looked up (text in a handful of scripts touches a handful of pages), then shared by all threads.
 */
final class CharTable {

  /** Part of a word, unchanged. */
  static final int KEEP = 0;
  /** Part of a word, replaced by {@code value}. */
  static final int WORD = 1;
  /** Ends the current word and is dropped (white space). */
  static final int SPACE = 2;
  /** A word of its own ({@code value}): punctuation and CJK ideographs. */
  static final int ISOLATE = 3;
  /** Removed without ending the word (control and format characters, U+FFFD). */
  static final int DROP = 4;
  /** Becomes several characters, listed by {@link #multi(int, int)}. */
  static final int MULTI = 5;

  private static final int KIND_SHIFT = 24;
  private static final int VALUE_MASK = 0x1F_FFFF;
  private static final int PAGE_BITS = 8;
  private static final int PAGE_SIZE = 1 << PAGE_BITS;
  private static final int PAGE_COUNT = (Character.MAX_CODE_POINT + 1) >>> PAGE_BITS;

  private static final Map<NormalizerSettings, CharTable> CACHE = new ConcurrentHashMap<>();

  /**
   * The entries of 256 code points and the expansions their MULTI entries point to.
   *
   * @param entries one entry per code point of the page
   * @param multi the expansions, indexed by the value of MULTI entries
   */
  private record Page(int[] entries, int[][] multi) {}

  private final NormalizerSettings settings;
  /** Filled on demand; a page is immutable once published. */
  private final AtomicReferenceArray<Page> pages = new AtomicReferenceArray<>(PAGE_COUNT);

  private CharTable(NormalizerSettings settings) {
    this.settings = settings;
  }

  /** The table for these settings, shared (it only ever grows by immutable pages). */
  static CharTable forSettings(NormalizerSettings settings) {
    return CACHE.computeIfAbsent(settings, CharTable::new);
  }

  /** The entry of a code point; unpaired surrogates are treated like U+FFFD. */
  int entry(int cp) {
    return page(cp).entries[cp & (PAGE_SIZE - 1)];
  }

  /** The entries (kinds WORD, SPACE or ISOLATE only) that the MULTI entry of {@code cp} expands to. */
  int[] multi(int cp, int entry) {
    return page(cp).multi[value(entry)];
  }

  static int kind(int entry) {
    return entry >>> KIND_SHIFT;
  }

  static int value(int entry) {
    return entry & VALUE_MASK;
  }

  private static int pack(int kind, int value) {
    return (kind << KIND_SHIFT) | value;
  }

  private Page page(int cp) {
    int index = cp >>> PAGE_BITS;
    Page page = pages.getAcquire(index);
    if (page == null) {
      // Two threads may both build the same page; the results are equal, and the first one stays.
      Page built = buildPage(index);
      page = pages.compareAndExchangeRelease(index, null, built);
      page = page == null ? built : page;
    }
    return page;
  }

  private Page buildPage(int index) {
    int[] entries = new int[PAGE_SIZE];
    List<int[]> multi = new ArrayList<>();
    for (int i = 0; i < PAGE_SIZE; i++) {
      entries[i] = entryFor((index << PAGE_BITS) | i, settings, multi);
    }
    return new Page(entries, multi.toArray(new int[0][]));
  }

  /** Runs the normalizer and the pre-tokenizer's classification on one code point. */
  private static int entryFor(int cp, NormalizerSettings settings, List<int[]> multi) {
    if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
      // Only reachable for unpaired surrogates, which no valid UTF-8 string (the reference's input)
      // can hold; they get what U+FFFD gets.
      int replacement = entryFor(0xFFFD, settings, multi);
      return replacement == pack(KEEP, 0) ? pack(WORD, 0xFFFD) : replacement;
    }
    if (settings.cleanText()) {
      if (HfUnicode.isRemovedByCleanText(cp)) {
        return pack(DROP, 0);
      }
      if (cp == '\t' || cp == '\n' || cp == '\r' || HfUnicode.isWhitespace(cp)) {
        return pack(SPACE, 0);
      }
    }
    boolean isolateAll = settings.handleChineseChars() && HfUnicode.isChinese(cp);
    if (Character.getType(cp) == Character.UNASSIGNED) {
      // Every table of HfUnicode lists assigned characters only, and NFD and lowercasing leave
      // unassigned ones alone.
      return isolateAll ? pack(ISOLATE, cp) : pack(KEEP, 0);
    }
    int[] mapped = settings.stripAccents() ? decomposeWithoutMarks(cp) : new int[] {cp};
    if (settings.lowercase()) {
      mapped = lowercase(mapped);
    }
    if (mapped.length == 0) {
      return pack(DROP, 0);
    }
    if (mapped.length == 1) {
      int out = mapped[0];
      if (isolateAll) {
        return pack(ISOLATE, out);
      }
      int kind = classify(out);
      if (kind == SPACE) {
        return pack(SPACE, 0);
      }
      if (kind == ISOLATE) {
        return pack(ISOLATE, out);
      }
      return out == cp ? pack(KEEP, 0) : pack(WORD, out);
    }
    int[] expansion = new int[mapped.length + (isolateAll ? 2 : 0)];
    int n = 0;
    if (isolateAll) {
      expansion[n++] = pack(SPACE, 0);
    }
    for (int out : mapped) {
      expansion[n++] = pack(classify(out), classify(out) == SPACE ? 0 : out);
    }
    if (isolateAll) {
      expansion[n++] = pack(SPACE, 0);
    }
    multi.add(expansion);
    return pack(MULTI, multi.size() - 1);
  }

  /** The pre-tokenizer's view of a normalized character: white space, punctuation, or a word part. */
  private static int classify(int cp) {
    if (HfUnicode.isWhitespace(cp)) {
      return SPACE;
    }
    return HfUnicode.isPunctuation(cp) ? ISOLATE : WORD;
  }

  /** NFD of one code point without its non-spacing marks. */
  private static int[] decomposeWithoutMarks(int cp) {
    if (HfUnicode.isNonspacingMark(cp)) {
      return new int[0];
    }
    if (cp < 0xC0) {
      return new int[] {cp};
    }
    String c = Character.toString(cp);
    if (Normalizer.isNormalized(c, Normalizer.Form.NFD)) { // cheap, and true for nearly every character
      return new int[] {cp};
    }
    return Normalizer.normalize(c, Normalizer.Form.NFD).codePoints().filter(d -> !HfUnicode.isNonspacingMark(d)).toArray();
  }

  /**
   * Rust's {@code char::to_lowercase}: the simple mapping, except U+0130 (capital I with dot),
   * the one character whose unconditional lowercase is two characters.
   */
  private static int[] lowercase(int[] cps) {
    if (cps.length == 1 && cps[0] != 0x130 && Character.toLowerCase(cps[0]) == cps[0]) {
      return cps;
    }
    int[] out = new int[cps.length * 2];
    int n = 0;
    for (int cp : cps) {
      if (cp == 0x130) {
        out[n++] = 'i';
        out[n++] = 0x307;
      } else {
        out[n++] = Character.toLowerCase(cp);
      }
    }
    return Arrays.copyOf(out, n);
  }
}
