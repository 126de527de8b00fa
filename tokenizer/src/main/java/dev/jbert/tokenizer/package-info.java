/**
 * A pure-Java BERT WordPiece tokenizer whose ids equal those of Hugging Face's fast tokenizer.
 *
 * <p>{@link dev.jbert.tokenizer.BertTokenizer} is the entry point: load it with
 * {@link dev.jbert.tokenizer.BertTokenizer#fromPretrained(java.nio.file.Path)}, encode single texts,
 * pairs or batches to {@link dev.jbert.tokenizer.Encoding}s with
 * {@link dev.jbert.tokenizer.EncodeOptions} (special tokens, truncation, padding), or build model
 * inputs from ids for multi-turn context. The pipeline is Hugging Face's: BertNormalizer,
 * BertPreTokenizer, WordPiece, TemplateProcessing, with every character class taken from the
 * Unicode version the reference library uses (see {@code HfUnicode}).
 *
 * <p>Depends on Jackson only (for the JSON files), not on ND4J or any other jbert module.
 */
package dev.jbert.tokenizer;
