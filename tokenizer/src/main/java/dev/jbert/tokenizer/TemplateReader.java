package dev.jbert.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@code TemplateProcessing} post-processor: the {@code single} and {@code pair} piece
 * lists ({@code {"SpecialToken": {"id": "[CLS]", "type_id": 0}}} or
 * {@code {"Sequence": {"id": "A", "type_id": 0}}}) and the ids of each special token.
 */
final class TemplateReader {

  private static final String WHERE = "post_processor";

  private final JsonFile file;
  private final JsonNode node;

  TemplateReader(JsonFile file, JsonNode node) {
    this.file = file;
    this.node = node;
  }

  Template read() throws TokenizerFormatException {
    List<Template.Piece> single = pieces("single", false);
    List<Template.Piece> pair = pieces("pair", true);
    return new Template(single, pair);
  }

  private List<Template.Piece> pieces(String field, boolean isPair) throws TokenizerFormatException {
    JsonNode list = node.get(field);
    String where = WHERE + "." + field;
    if (list == null || !list.isArray()) {
      throw file.error(where + " must be a list");
    }
    List<Template.Piece> pieces = new ArrayList<>();
    int[] seen = new int[2];
    for (int i = 0; i < list.size(); i++) {
      JsonNode entry = list.get(i);
      String at = where + "[" + i + "]";
      JsonNode special = entry.get("SpecialToken");
      JsonNode sequence = entry.get("Sequence");
      if (special != null) {
        pieces.add(Template.Piece.special(specialIds(file.text(special, "id", at, "")), typeId(special, at)));
      } else if (sequence != null) {
        String id = file.text(sequence, "id", at, "");
        int index = switch (id) {
          case "A" -> 0;
          case "B" -> 1;
          default -> throw file.error(at + ": sequence id must be A or B, got '" + id + "'");
        };
        seen[index]++;
        pieces.add(Template.Piece.sequence(index, typeId(sequence, at)));
      } else {
        throw file.error(at + " must be a SpecialToken or a Sequence");
      }
    }
    if (seen[0] != 1 || seen[1] != (isPair ? 1 : 0)) {
      throw file.error(where + " must hold sequence A once" + (isPair ? " and sequence B once" : " and no B"));
    }
    return pieces;
  }

  private int typeId(JsonNode piece, String at) throws TokenizerFormatException {
    return file.nonNegativeInt(piece, "type_id", at, 0);
  }

  private int[] specialIds(String name) throws TokenizerFormatException {
    JsonNode entry = node.path("special_tokens").get(name);
    if (entry == null || !entry.path("ids").isArray() || entry.get("ids").isEmpty()) {
      throw file.error(WHERE + ".special_tokens has no ids for '" + name + "'");
    }
    JsonNode ids = entry.get("ids");
    int[] out = new int[ids.size()];
    for (int i = 0; i < out.length; i++) {
      if (!ids.get(i).canConvertToInt() || ids.get(i).intValue() < 0) {
        throw file.error(WHERE + ".special_tokens." + name + ".ids must be non-negative integers");
      }
      out[i] = ids.get(i).intValue();
    }
    return out;
  }
}
