package dev.webshell.detector.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MockSchemaRegistryClientTest {
  private static final String SCOPE = "mock-client-test";

  @AfterEach
  void drop() {
    MockSchemaRegistryClient.dropScope(SCOPE);
  }

  @Test
  void sameMockUrlGivesTheSameInstanceUntilTheScopeIsDropped() {
    SchemaRegistryClient a = SchemaRegistryClients.create(RegistryConfig.of("mock://" + SCOPE));
    SchemaRegistryClient b = SchemaRegistryClients.create(RegistryConfig.of("mock://" + SCOPE));
    assertSame(a, b);
    a.register("s", TestSchemas.TINY);
    assertEquals(TestSchemas.TINY, b.getById(1));
    assertNotSame(a, SchemaRegistryClients.create(RegistryConfig.of("mock://other-" + SCOPE)));
    MockSchemaRegistryClient.dropScope("other-" + SCOPE);

    MockSchemaRegistryClient.dropScope(SCOPE);
    SchemaRegistryClient c = SchemaRegistryClients.create(RegistryConfig.of("mock://" + SCOPE));
    assertNotSame(a, c);
    assertThrows(SchemaRegistryException.class, () -> c.getById(1));
  }

  @Test
  void httpUrlGivesTheHttpClient() {
    assertInstanceOf(
        HttpSchemaRegistryClient.class,
        SchemaRegistryClients.create(RegistryConfig.of("http://localhost:8081")));
  }

  @Test
  void idsAreAssignedFromOneAndSharedAcrossSubjectsForTheSameSchema() {
    var registry = new MockSchemaRegistryClient();
    Schema other = SchemaBuilder.record("Other").fields().requiredLong("x").endRecord();
    assertEquals(1, registry.register("a-value", TestSchemas.TINY));
    assertEquals(1, registry.register("a-value", TestSchemas.TINY));
    assertEquals(2, registry.register("b-value", other));
    assertEquals(1, registry.register("c-value", TestSchemas.TINY));
    assertEquals(
        new RegisteredSchema("c-value", 1, 1, TestSchemas.TINY), registry.latest("c-value"));
    assertEquals(new RegisteredSchema("b-value", 2, 1, other), registry.latest("b-value"));
  }

  @Test
  void unknownIdAndUnknownSubjectAre404WithConfluentErrorCodes() {
    var registry = new MockSchemaRegistryClient();
    SchemaRegistryException byId =
        assertThrows(SchemaRegistryException.class, () -> registry.getById(9));
    assertEquals(404, byId.status());
    assertEquals(SchemaRegistryException.SCHEMA_NOT_FOUND, byId.errorCode());
    assertEquals("Schema 9 not found", byId.registryMessage());
    SchemaRegistryException subject =
        assertThrows(SchemaRegistryException.class, () -> registry.latest("nope"));
    assertEquals(SchemaRegistryException.SUBJECT_NOT_FOUND, subject.errorCode());
  }

  @Test
  void addingARequiredFieldWithoutDefaultIsNotBackwardCompatible() {
    var registry = new MockSchemaRegistryClient();
    registry.register("t-value", TestSchemas.TINY);
    Schema withRequired =
        SchemaBuilder.record("Tiny")
            .namespace("dev.webshell.test")
            .fields()
            .requiredInt("n")
            .requiredString("s")
            .requiredString("added")
            .endRecord();
    SchemaRegistryException e =
        assertThrows(
            SchemaRegistryException.class, () -> registry.register("t-value", withRequired));
    assertEquals(409, e.status());
    assertTrue(
        e.registryMessage().contains("READER_FIELD_MISSING_DEFAULT_VALUE"), e.registryMessage());
    assertTrue(e.registryMessage().contains("added"), e.registryMessage());
    // with a default it is compatible
    Schema withDefault =
        SchemaBuilder.record("Tiny")
            .namespace("dev.webshell.test")
            .fields()
            .requiredInt("n")
            .requiredString("s")
            .name("added")
            .type()
            .stringType()
            .stringDefault("")
            .endRecord();
    assertEquals(2, registry.register("t-value", withDefault));
  }
}
