package dev.nitricws.cli;

import picocli.CommandLine.ITypeConverter;

/**
 * The picocli converter for {@link Sizes}, on an {@code int} option:
 * {@code converter = SizeConverter.class}. A refused value reads, with the option picocli puts in
 * front: {@code Invalid value for option '--max-queued': '4g' is not a size: use 131072 (bytes),
 * 128k or 4m}.
 */
public final class SizeConverter implements ITypeConverter<Integer> {

  @Override
  public Integer convert(String value) {
    return Sizes.KIND.convert(value);
  }
}
