/**
 * The model's configuration: {@link dev.jbert.core.config.BertConfig}, Hugging Face's
 * {@code config.json} ({@code configuration_bert.py}). Below the modules, which read their sizes
 * from it, and the models, which are built from it.
 */
package dev.jbert.core.config;
