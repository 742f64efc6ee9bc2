package dev.nitricws.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Why a JSON object does not fit a record, in words for the client who sent it: the field and what
 * it must be, or the record constructor's own message; never a Java class name, and at most a
 * few dozen characters of what the client sent.
 */
final class Misfit {

  private static final int QUOTED = JacksonJsonMapper.QUOTED_INPUT;
  private static final int DETAIL = 200;

  private Misfit() {}

  /** {@code error}, thrown while reading a record from a JSON object, described. */
  static String describe(Exception error) {
    if (error instanceof UnrecognizedPropertyException unknown) {
      return "unknown field '" + TypedMessages.quote(unknown.getPropertyName(), QUOTED) + "'";
    }
    if (error instanceof ValueInstantiationException refused) {
      return refusedBy(refused.getCause());
    }
    if (error instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
      return "field '" + path(mismatch) + "' " + expected(mismatch.getTargetType());
    }
    if (error instanceof JsonProcessingException json) {
      return TypedMessages.quote(json.getOriginalMessage(), DETAIL);
    }
    // a record constructor's exception, when the mapper does not wrap exceptions
    return refusedBy(error);
  }

  /** The record constructor's words. */
  private static String refusedBy(Throwable cause) {
    return cause == null || cause.getMessage() == null ? "refused by the message's own checks"
        : TypedMessages.quote(cause.getMessage(), DETAIL);
  }

  /** {@code items[2].name}. */
  private static String path(JsonMappingException error) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : error.getPath()) {
      if (ref.getFieldName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return TypedMessages.quote(out.toString(), QUOTED);
  }

  /** What a value of {@code type} must look like in JSON. */
  private static String expected(Class<?> type) {
    if (type == null) {
      return "has the wrong type or value";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "must be true or false";
    }
    if (type.isPrimitive() && type != char.class || Number.class.isAssignableFrom(type)) {
      return "must be a number";
    }
    if (type == char.class || type == Character.class || CharSequence.class.isAssignableFrom(type)) {
      return "must be a string";
    }
    if (type.isEnum()) {
      return "must be one of " + TypedMessages.quote(Arrays.stream(type.getEnumConstants())
          .map(c -> ((Enum<?>) c).name()).collect(Collectors.joining(", ")), DETAIL);
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "must be an array";
    }
    if (type.isRecord() || Map.class.isAssignableFrom(type)) {
      return "must be an object";
    }
    return "has the wrong form";
  }
}
