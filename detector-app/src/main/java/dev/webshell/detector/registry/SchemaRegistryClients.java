package dev.webshell.detector.registry;

/** Makes the {@link SchemaRegistryClient} a {@link RegistryConfig} asks for. */
public final class SchemaRegistryClients {
  private SchemaRegistryClients() {}

  /**
   * {@link MockSchemaRegistryClient#forScope} for a {@code mock://NAME} URL, else a {@link
   * HttpSchemaRegistryClient}.
   */
  public static SchemaRegistryClient create(RegistryConfig config) {
    return config.isMock()
        ? MockSchemaRegistryClient.forScope(config.mockScope())
        : new HttpSchemaRegistryClient(config);
  }
}
