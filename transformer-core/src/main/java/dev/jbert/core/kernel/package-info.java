/**
 * The kernels of the encoder: the math, apart from the modules that own parameters and buffers.
 *
 * <p><b>Runtime.</b> {@link dev.jbert.core.kernel.Flat} is the one door to the memory of an ND4J
 * array (bulk copies of rows into Java arrays, where HotSpot vectorises the loops), and
 * {@link dev.jbert.core.kernel.FlatView} cuts row-major views out of one contiguous array (the
 * named tensors of a parameter buffer, the activation buffers of an arena);
 * {@link dev.jbert.core.kernel.Parallel} splits rows over the kernel threads;
 * {@link dev.jbert.core.kernel.Gemm} is the matrix product and the batched product of attention
 * heads (direct CBLAS calls cut over the same kernel threads; OpenBLAS, or MKL in its place, itself
 * runs single-threaded), and the inference product on a {@link dev.jbert.core.kernel.PackedWeight} (a
 * weight packed once, multiplied by a Vector API kernel: batch 1 without OpenBLAS's per-call
 * packing) or, where MKL is loaded, on a {@link dev.jbert.core.kernel.MklPackedWeight} (packed once
 * by MKL);
 * {@link dev.jbert.core.kernel.Functions} the special functions (erf, exp, tanh).
 *
 * <p><b>Ops.</b> One class per op, each a pair of static {@code forward}/{@code backward}
 * functions with no state: what a forward saves for its backward is an argument of both, as in
 * llm.c ({@code layernorm_forward(out, mean, rstd, inp, weight, bias)} /
 * {@code layernorm_backward(dinp, dweight, dbias, dout, inp, weight, mean, rstd)}). Outputs come
 * first, then saved tensors, then inputs. {@link dev.jbert.core.kernel.Linear},
 * {@link dev.jbert.core.kernel.LayerNorm} (with the residual sum and the dropout fused in),
 * {@link dev.jbert.core.kernel.Activation} ({@link dev.jbert.core.kernel.Gelu},
 * {@link dev.jbert.core.kernel.GeluTanh}, {@link dev.jbert.core.kernel.Relu}),
 * {@link dev.jbert.core.kernel.MaskedSoftmax}, {@link dev.jbert.core.kernel.DropoutMask},
 * {@link dev.jbert.core.kernel.Attention} (scores, softmax and context on each head's block of the
 * projection: {@link dev.jbert.core.kernel.Gemm.Block}),
 * {@link dev.jbert.core.kernel.Embedding}, {@link dev.jbert.core.kernel.Tanh}. The modules of
 * {@code dev.jbert.core.nn} call these and never loop over arrays themselves, so this package is
 * the seam a second backend would implement.
 *
 * <p><b>One source per precision.</b> FLOAT is what models train and serve in; DOUBLE exists for
 * the gradient checks, which must reproduce PyTorch's float64 gradients and AdamW steps to 1e-9.
 * Each hot op (linear's bias gradient, layer norm, GELU, softmax, dropout) is therefore written
 * twice on purpose, and differently: a float kernel tuned for speed (rows cut over threads, float
 * arithmetic with sums in vector lanes or in double, branch-free approximations of erf and exp,
 * softmax a whole (batch, head) block at a time) and a double reference in the
 * plainest form of the op's definition (whole arrays, one thread, exact erf and exp), which the
 * parity and finite-difference tests run and which {@code FloatTwinTest} holds each float kernel
 * to. The alternatives were weighed: a build-time template (as the JDK generates
 * {@code FloatBuffer} from {@code X-Buffer.java.template}) would keep the two precisions in step
 * line by line, but the float kernels differ from the reference in more than the type (double
 * accumulators, approximations, blocking), so the template would need conditionals in every
 * kernel and a generator in the build; a generic skeleton over a number type cannot reach Java's
 * primitive arrays without boxing, which undoes the vectorisation the kernels exist for. Ops off
 * the hot path (embedding sums, tanh of the pooler, the tanh GELU, ReLU) have one kernel over
 * double rows for both precisions.
 *
 * <p><b>Vector rows.</b> Where the Vector API has 16-float vectors, the float kernels' row steps
 * are its code ({@code VectorLayerNorm}, {@code VectorGelu}, {@code VectorDropout}), and elsewhere
 * plain loops that compute the same floats ({@code PlainLayerNorm}, GELU's loop, the mask's hash):
 * the same operations in the same order, sums in 16 lanes folded in a fixed order, fused
 * multiply-adds where the vectors fuse. These kernels' results then do not depend on whether the
 * JVM was started with the module, so a training run killed in one JVM resumes exactly in another
 * on the same machine (the BLAS library's products still differ between CPUs).
 */
package dev.jbert.core.kernel;
