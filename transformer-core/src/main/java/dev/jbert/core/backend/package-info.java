/**
 * The native runtime under the kernels: {@link dev.jbert.core.backend.Backend#init()} names
 * OpenBLAS's kernels and threads and OpenMP's wait policy before ND4J loads them, and sizes ND4J's
 * pools; {@link dev.jbert.core.backend.BlasLibrary} tells which BLAS library (OpenBLAS, or MKL in
 * its place) the process runs on. The model classes call {@code init} before their first ND4J use;
 * an application that uses ND4J before it builds a model calls it first.
 */
package dev.jbert.core.backend;
