/**
 * The modules of BERT, one per module of Hugging Face's {@code modeling_bert.py}
 * ({@link dev.jbert.core.nn.BertEmbeddings}, {@link dev.jbert.core.nn.BertSelfAttention},
 * {@link dev.jbert.core.nn.BertSelfOutput}, {@link dev.jbert.core.nn.BertIntermediate},
 * {@link dev.jbert.core.nn.BertOutput}, {@link dev.jbert.core.nn.BertLayer},
 * {@link dev.jbert.core.nn.BertPooler}, the {@link dev.jbert.core.nn.ClassificationHead} of
 * {@code BertForSequenceClassification}, and {@link dev.jbert.core.nn.BertNetwork}, the tree of
 * {@code BertModel}), the losses, and the activation buffers.
 *
 * <p>Each module declares its parameters once, under their Hugging Face names, through a
 * {@link dev.jbert.core.param.ParameterScope}; the model's parameter list is what its modules declared.
 * A module's saved activations for one input shape are its {@code Activations} object (llm.c's
 * {@code ActivationTensors}), carved out of the model's arena by {@link dev.jbert.core.nn.Buffers};
 * its {@code forward} and {@code backward} sit side by side and call the kernels of
 * {@link dev.jbert.core.kernel}.
 */
package dev.jbert.core.nn;
