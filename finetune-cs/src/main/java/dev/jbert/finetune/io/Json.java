package dev.jbert.finetune.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.jbert.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;

/** The one Jackson configuration used for every JSON file this module writes. */
public final class Json {

  /** Shared mapper: thread-safe once configured. NaN and infinities are written as strings ("NaN"). */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** Writes {@code value} as indented JSON to {@code target}, atomically. */
  public static void writePretty(Path target, Object value) throws IOException {
    byte[] bytes = MAPPER.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(value);
    AtomicFiles.writeBytes(target, bytes);
  }
}
