package dev.jbert.finetune.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads whole data files as text. */
final class TextFiles {

  private static final char BOM = '\uFEFF';

  private TextFiles() {}

  /**
   * The file decoded as strict UTF-8, without a leading byte-order mark. Bytes that are not UTF-8
   * give a {@link DataFileException} naming the line they are on.
   */
  static String readUtf8(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DataFileException(file, 0, "no such file");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      throw new DataFileException(file, lineOfByte(bytes, in.position()), "not valid UTF-8 (byte offset " + in.position() + ")");
    }
    decoder.flush(out);
    out.flip();
    String text = out.toString();
    return !text.isEmpty() && text.charAt(0) == BOM ? text.substring(1) : text;
  }

  private static long lineOfByte(byte[] bytes, int offset) {
    long line = 1;
    for (int i = 0; i < offset; i++) {
      if (bytes[i] == '\n') {
        line++;
      }
    }
    return line;
  }
}
