package dev.jbert.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A BERT WordPiece tokenizer that gives exactly the ids of Hugging Face's fast tokenizer
 * ({@code AutoTokenizer} / the Rust tokenizers library), for single texts and pairs, English and
 * Chinese.
 *
 * <pre>{@code
 * BertTokenizer tokenizer = BertTokenizer.fromPretrained(Path.of("models/all-MiniLM-L6-v2"));
 * Encoding e = tokenizer.encode("Where is my parcel?");            // [CLS] where is my parcel ? [SEP]
 * List<Encoding> batch = tokenizer.encodeBatch(texts,
 *     EncodeOptions.truncatedTo(128).withPadding(PaddingStrategy.LONGEST));
 * }</pre>
 *
 * <p>Immutable and thread-safe once loaded. Encoding does one table lookup per character and one
 * hash probe per vocabulary lookup, with no regular expressions and no per-character allocation.
 */
public final class BertTokenizer {

  private final PieceTokenizer pieces;
  private final Template template;
  private final Vocabulary vocabulary;
  private final WordPieceDecoder decoder;
  private final EncodeOptions configuredOptions;
  private final TransformersConfig config;
  private final int unkId;
  private final int padId;
  private final String padToken;

  private BertTokenizer(TokenizerSpec spec) throws TokenizerFormatException {
    int[] specialIds = spec.addedTokens().stream().filter(AddedToken::special).mapToInt(AddedToken::id).toArray();
    vocabulary = new Vocabulary(TokenizerSpec.allTokens(spec.source(), spec.vocab(), spec.addedTokens()), specialIds);
    unkId = spec.vocab().get(spec.unkToken()); // the readers checked that it is there
    WordPiece model = new WordPiece(index(spec.vocab(), ""), index(spec.vocab(), spec.continuingSubwordPrefix()),
        unkId, spec.maxInputCharsPerWord());
    pieces = new PieceTokenizer(
        new AddedTokenMatcher(spec.addedTokens()), CharTable.forSettings(spec.normalizer()), model);
    template = spec.template();
    checkTemplateIds(spec);
    decoder = new WordPieceDecoder(
        spec.decoderPrefix(), spec.decoderCleanup(), spec.config().cleanUpTokenizationSpaces());
    configuredOptions = spec.configuredOptions();
    config = spec.config();
    padId = spec.padId();
    padToken = spec.padToken();
  }

  /**
   * Loads the tokenizer of a Hugging Face model directory: from {@code tokenizer.json} when
   * present, else from {@code vocab.txt} with {@code tokenizer_config.json} and
   * {@code special_tokens_map.json} (both optional) and BERT's defaults.
   *
   * @throws TokenizerFormatException naming the file and the problem when a file cannot be used
   * @throws IOException when a file cannot be read
   */
  public static BertTokenizer fromPretrained(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": not a directory");
    }
    TransformersConfig config = TransformersConfig.read(dir);
    if (Files.exists(dir.resolve(TokenizerJsonReader.FILE))) {
      return new BertTokenizer(TokenizerJsonReader.read(dir, config));
    }
    if (Files.exists(dir.resolve(VocabTxtReader.VOCAB_FILE))) {
      return new BertTokenizer(VocabTxtReader.read(dir, config));
    }
    throw new IOException(
        dir + ": neither " + TokenizerJsonReader.FILE + " nor " + VocabTxtReader.VOCAB_FILE + " found");
  }

  /**
   * Loads a {@code tokenizer.json} on its own, under any file name (as the tokenizers library's
   * {@code Tokenizer.from_file} does), with BERT's defaults for what {@code tokenizer_config.json}
   * would add: the same tokenizer {@link #fromPretrained} loads from a folder holding only that file.
   *
   * @throws TokenizerFormatException naming the file and the problem when it cannot be used
   * @throws IOException when it cannot be read
   */
  public static BertTokenizer fromTokenizerJson(Path file) throws IOException {
    return new BertTokenizer(TokenizerJsonReader.readFile(file, TransformersConfig.defaults()));
  }

  /** Encodes one text with special tokens, without truncation or padding. */
  public Encoding encode(String text) {
    return encode(text, null, EncodeOptions.DEFAULT);
  }

  /** Encodes a text pair ({@code pair} may be null) with special tokens, without truncation or padding. */
  public Encoding encode(String text, String pair) {
    return encode(text, pair, EncodeOptions.DEFAULT);
  }

  /**
   * Encodes a text, or a pair when {@code pair} is not null.
   *
   * @throws IllegalArgumentException when the truncation asked for cannot be done (e.g.
   *     {@code maxLength} below the number of special tokens, or ONLY_FIRST with a first text too
   *     short to absorb the excess)
   */
  public Encoding encode(String text, String pair, EncodeOptions options) {
    return pad(assemble(split(text), pair == null ? null : split(pair), options), options, 0);
  }

  /** Encodes texts one by one, then pads them together as {@code options} says. */
  public List<Encoding> encodeBatch(List<String> texts, EncodeOptions options) {
    return encodeBatch(texts, null, options);
  }

  /**
   * Encodes text pairs ({@code pairs} null, or one element per text, where null elements mean no
   * pair), then pads them together as {@code options} says.
   */
  public List<Encoding> encodeBatch(List<String> texts, List<String> pairs, EncodeOptions options) {
    if (pairs != null && pairs.size() != texts.size()) {
      throw new IllegalArgumentException(texts.size() + " texts but " + pairs.size() + " pairs");
    }
    List<Encoding> encodings = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      String pair = pairs == null ? null : pairs.get(i);
      encodings.add(assemble(split(texts.get(i)), pair == null ? null : split(pair), options));
    }
    return padBatch(encodings, options);
  }

  /**
   * The word-piece ids of {@code text} without special tokens, truncation or padding: the
   * building block for inputs assembled by hand with {@link #prepareForModel}.
   */
  public int[] tokenizeToIds(String text) {
    return split(text).idsCopy();
  }

  /** The word-piece strings of {@code text} without special tokens. */
  public List<String> tokenize(String text) {
    return List.of(vocabulary.tokens(tokenizeToIds(text)));
  }

  /**
   * Builds a model input from already-tokenized ids: truncation, the template's special tokens
   * and type ids, and padding, exactly as {@link #encode(String, String, EncodeOptions)} would
   * have done with the texts behind them. Offsets are all 0, since there is no text. For
   * multi-turn context, put earlier turns in {@code ids} and the current message in
   * {@code pairIds}, with {@link TruncationStrategy#ONLY_FIRST} and {@link Side#LEFT} truncation
   * to drop the oldest tokens first.
   *
   * @param ids the first sequence
   * @param pairIds the second sequence, or null
   * @throws IllegalArgumentException for an id outside the vocabulary or an impossible truncation
   */
  public Encoding prepareForModel(int[] ids, int[] pairIds, EncodeOptions options) {
    vocabulary.checkIds(ids, "ids");
    TokenBuffer pair = null;
    if (pairIds != null) {
      vocabulary.checkIds(pairIds, "pairIds");
      pair = TokenBuffer.ofIds(pairIds);
    }
    return pad(assemble(TokenBuffer.ofIds(ids), pair, options), options, 0);
  }

  /**
   * Turns ids back into text: pieces joined, special tokens dropped if asked, spaces before
   * punctuation cleaned up as {@code transformers} does (see {@code clean_up_tokenization_spaces}).
   *
   * @throws IllegalArgumentException for an id outside the vocabulary
   */
  public String decode(int[] ids, boolean skipSpecialTokens) {
    return decoder.decode(ids, skipSpecialTokens, vocabulary);
  }

  /** How many special tokens the template adds to one text ({@code pair = false}) or a pair. */
  public int numSpecialTokensToAdd(boolean pair) {
    return template.addedTokens(pair);
  }

  /** The number of ids: every id is in {@code [0, vocabSize())}. Added tokens are included. */
  public int vocabSize() {
    return vocabulary.size();
  }

  /** The id of {@code token}, if the vocabulary or the added tokens have it. */
  public OptionalInt tokenToId(String token) {
    int id = vocabulary.id(token);
    return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /**
   * The token string of {@code id}.
   *
   * @throws IllegalArgumentException when no token has that id
   */
  public String idToToken(int id) {
    vocabulary.checkIds(new int[] {id}, "id");
    return vocabulary.token(id);
  }

  /** The unknown token's id. */
  public int unkId() {
    return unkId;
  }

  /**
   * The pad id (from tokenizer.json's padding block, else the config's {@code pad_token}).
   *
   * @throws IllegalStateException when the tokenizer has no pad token
   */
  public int padId() {
    if (padId < 0) {
      throw new IllegalStateException(
          "this tokenizer has no pad token ('" + config.padToken() + "' is not in the vocabulary)");
    }
    return padId;
  }

  /** The id of {@code cls_token} ({@code [CLS]} by default). */
  public int clsId() {
    return specialId(config.clsToken(), "cls_token");
  }

  /** The id of {@code sep_token} ({@code [SEP]} by default). */
  public int sepId() {
    return specialId(config.sepToken(), "sep_token");
  }

  /** The id of {@code mask_token} ({@code [MASK]} by default). */
  public int maskId() {
    return specialId(config.maskToken(), "mask_token");
  }

  /** {@code model_max_length} of tokenizer_config.json, when it gives a real limit. */
  public OptionalInt modelMaxLength() {
    return config.modelMaxLength();
  }

  /**
   * The truncation and padding that tokenizer.json's own blocks ask for (what the tokenizers
   * library applies by default); {@link EncodeOptions#DEFAULT} when it has none or the tokenizer
   * came from vocab.txt. {@link #encode(String)} does not apply them, like {@code transformers}.
   */
  public EncodeOptions configuredOptions() {
    return configuredOptions;
  }

  private TokenBuffer split(String text) {
    TokenBuffer out = new TokenBuffer(text.length() / 4 + 8);
    pieces.tokenize(text, out);
    return out;
  }

  /** Truncation and the template; padding is left to the caller. */
  private Encoding assemble(TokenBuffer a, TokenBuffer b, EncodeOptions options) {
    if (options.truncation() != TruncationStrategy.NONE) {
      int added = options.addSpecialTokens() ? template.addedTokens(b != null) : 0;
      int budget = options.maxLength() - added;
      if (budget < 0) {
        throw new IllegalArgumentException("maxLength " + options.maxLength() + " cannot hold the " + added
            + " special tokens added to " + (b == null ? "a single text" : "a pair"));
      }
      Truncation.apply(a, b, budget, options.truncation(), options.truncationSide());
    }
    return template.apply(a, b, options.addSpecialTokens(), vocabulary);
  }

  private List<Encoding> padBatch(List<Encoding> encodings, EncodeOptions options) {
    int longest = 0;
    for (Encoding e : encodings) {
      longest = Math.max(longest, e.length());
    }
    List<Encoding> padded = new ArrayList<>(encodings.size());
    for (Encoding e : encodings) {
      padded.add(pad(e, options, longest));
    }
    return padded;
  }

  /** Pads to {@code maxLength} (MAX_LENGTH) or to {@code longest} (LONGEST), rounded up to the multiple. */
  private Encoding pad(Encoding encoding, EncodeOptions options, int longest) {
    int target = switch (options.padding()) {
      case NONE -> 0;
      case LONGEST -> Math.max(longest, encoding.length());
      case MAX_LENGTH -> options.maxLength();
    };
    int multiple = options.padToMultipleOf();
    if (multiple > 0 && target % multiple != 0) {
      target += multiple - target % multiple;
    }
    if (target <= encoding.length()) {
      return encoding;
    }
    return encoding.padded(target, options.paddingSide(), padId(), padToken);
  }

  private int specialId(String token, String setting) {
    int id = vocabulary.id(token);
    if (id < 0) {
      throw new IllegalStateException(setting + " '" + token + "' is not in the vocabulary");
    }
    return id;
  }

  private void checkTemplateIds(TokenizerSpec spec) throws TokenizerFormatException {
    for (boolean pair : new boolean[] {false, true}) {
      for (int id : template.specialIds(pair)) {
        if (vocabulary.token(id) == null) {
          throw new TokenizerFormatException(
              spec.source(), "the post-processor adds id " + id + ", which no token has");
        }
      }
    }
  }

  /** A lookup table over the vocabulary tokens that start with {@code prefix}, keyed without it. */
  private static TokenIndex index(Map<String, Integer> vocab, String prefix) {
    List<String> keys = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    for (Map.Entry<String, Integer> entry : vocab.entrySet()) {
      if (entry.getKey().startsWith(prefix)) {
        keys.add(entry.getKey().substring(prefix.length()));
        ids.add(entry.getValue());
      }
    }
    return new TokenIndex(keys.toArray(new String[0]), ids.stream().mapToInt(Integer::intValue).toArray());
  }
}
