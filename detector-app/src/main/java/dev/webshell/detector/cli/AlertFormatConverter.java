package dev.webshell.detector.cli;

import dev.webshell.detector.serde.AlertFormat;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --alert-format avro|json|ocsf|ecs}, in any case. */
final class AlertFormatConverter implements ITypeConverter<AlertFormat> {
  @Override
  public AlertFormat convert(String value) {
    try {
      return AlertFormat.parse(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
