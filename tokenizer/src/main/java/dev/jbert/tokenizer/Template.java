package dev.jbert.tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * The post-processor: where special tokens go around one or two sequences, and the token type id
 * of each part ({@code TemplateProcessing} in {@code tokenizer.json}; for BERT
 * {@code [CLS]:0 A:0 [SEP]:0} and {@code [CLS]:0 A:0 [SEP]:0 B:1 [SEP]:1}).
 */
final class Template {

  /**
   * One part of a template: a special token (its ids) or a sequence (0 for A, 1 for B).
   *
   * @param specialIds the ids of a special token, or null for a sequence
   * @param sequence 0 or 1 for a sequence; unused for special tokens
   * @param typeId the token type id of every token of this part
   */
  record Piece(int[] specialIds, int sequence, int typeId) {
    static Piece special(int[] ids, int typeId) {
      return new Piece(ids, -1, typeId);
    }

    static Piece sequence(int sequence, int typeId) {
      return new Piece(null, sequence, typeId);
    }

    boolean isSpecial() {
      return specialIds != null;
    }
  }

  private final List<Piece> single;
  private final List<Piece> pair;

  Template(List<Piece> single, List<Piece> pair) {
    this.single = List.copyOf(single);
    this.pair = List.copyOf(pair);
  }

  /** BERT's template with the given {@code [CLS]} and {@code [SEP]} ids. */
  static Template bert(int clsId, int sepId) {
    Piece cls = Piece.special(new int[] {clsId}, 0);
    return new Template(
        List.of(cls, Piece.sequence(0, 0), Piece.special(new int[] {sepId}, 0)),
        List.of(cls, Piece.sequence(0, 0), Piece.special(new int[] {sepId}, 0),
            Piece.sequence(1, 1), Piece.special(new int[] {sepId}, 1)));
  }

  /** How many special tokens the template adds around one sequence or a pair. */
  int addedTokens(boolean isPair) {
    int n = 0;
    for (Piece piece : isPair ? pair : single) {
      n += piece.isSpecial() ? piece.specialIds().length : 0;
    }
    return n;
  }

  /** Every special id the template adds to one sequence or a pair. */
  int[] specialIds(boolean isPair) {
    return (isPair ? pair : single).stream()
        .filter(Piece::isSpecial)
        .flatMapToInt(piece -> Arrays.stream(piece.specialIds()))
        .toArray();
  }

  /**
   * Assembles the model input from the (already truncated) pieces of {@code a} and, for a pair,
   * {@code b}. Without special tokens the sequences still get the template's type ids.
   */
  Encoding apply(TokenBuffer a, TokenBuffer b, boolean addSpecialTokens, Vocabulary vocabulary) {
    List<Piece> pieces = b == null ? single : pair;
    int length = a.size + (b == null ? 0 : b.size) + (addSpecialTokens ? addedTokens(b != null) : 0);
    int[] ids = new int[length];
    int[] typeIds = new int[length];
    int[] sequenceIds = new int[length];
    int[] starts = new int[length];
    int[] ends = new int[length];
    int n = 0;
    for (Piece piece : pieces) {
      if (piece.isSpecial()) {
        if (!addSpecialTokens) {
          continue;
        }
        for (int id : piece.specialIds()) {
          ids[n] = id;
          typeIds[n] = piece.typeId();
          sequenceIds[n] = -1;
          n++;
        }
      } else {
        TokenBuffer source = piece.sequence() == 0 ? a : b;
        System.arraycopy(source.ids, 0, ids, n, source.size);
        System.arraycopy(source.starts, 0, starts, n, source.size);
        System.arraycopy(source.ends, 0, ends, n, source.size);
        for (int i = 0; i < source.size; i++) {
          typeIds[n + i] = piece.typeId();
          sequenceIds[n + i] = piece.sequence();
        }
        n += source.size;
      }
    }
    int[] attentionMask = new int[length];
    Arrays.fill(attentionMask, 1);
    return new Encoding(ids, typeIds, attentionMask, sequenceIds, starts, ends, vocabulary.tokens(ids));
  }
}
