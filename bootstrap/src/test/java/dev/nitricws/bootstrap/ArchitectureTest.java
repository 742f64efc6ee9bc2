package dev.nitricws.bootstrap;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hexagon's rules that Maven module dependencies cannot say on their own. The production
 * classes of every module must pass them; the fixtures under {@code *.fixture} break each rule on
 * purpose, to prove the rules can fail.
 */
class ArchitectureTest {

  private static final String[] ADAPTERS = {
    "dev.nitricws.adapters.nitric..", "dev.nitricws.adapters.redis..", "dev.nitricws.adapters.postgres..",
    "dev.nitricws.adapters.memory..", "dev.nitricws.adapters.micrometer.."
  };

  /**
   * The adapters of the domain's outbound ports alone: the stores, and metrics. The Nitric adapter
   * also feeds the app its events, so sees ports.
   */
  private static final String[] OUTBOUND_ADAPTERS = {
    "dev.nitricws.adapters.redis..", "dev.nitricws.adapters.postgres..", "dev.nitricws.adapters.memory..",
    "dev.nitricws.adapters.micrometer.."
  };

  /** The domain is pure Java: nothing outside java.* and itself. */
  static final ArchRule DOMAIN_IS_PURE = noClasses().that().resideInAPackage("dev.nitricws.domain..")
      .should().dependOnClassesThat().resideOutsideOfPackages("java..", "dev.nitricws.domain..")
      .as("domain depends on nothing but java.*");

  /** Ports see the domain and the JDK's java.base (java.*, and javax.crypto for signed tokens), nothing else. */
  static final ArchRule PORTS_SEE_ONLY_THE_DOMAIN = noClasses().that().resideInAPackage("dev.nitricws.ports..")
      .should().dependOnClassesThat().resideOutsideOfPackages("java..", "javax.crypto..", "dev.nitricws.domain..",
          "dev.nitricws.ports..")
      .as("ports depend on the domain, java.* and javax.crypto only");

  /** The json module adds Jackson to the application layer: it sees ports and the domain, no adapter, bootstrap or runtime. */
  static final ArchRule JSON_SEES_THE_APP_LAYER = noClasses().that().resideInAPackage("dev.nitricws.json..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.nitricws.adapters..", "dev.nitricws.bootstrap..",
          "dev.nitricws.runtime..")
      .as("json depends on ports and the domain, not on adapters, bootstrap or the local runtime");

  /** Only bootstrap knows Guice. */
  static final ArchRule ONLY_BOOTSTRAP_KNOWS_GUICE = noClasses().that().resideOutsideOfPackage("dev.nitricws.bootstrap..")
      .should().dependOnClassesThat().resideInAnyPackage("com.google.inject..")
      .as("only bootstrap imports Guice");

  /** The local runtime is a separate program: it speaks the wire protocol, not our domain. */
  static final ArchRule RUNTIME_IS_INDEPENDENT = noClasses().that().resideInAPackage("dev.nitricws.runtime..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.nitricws.domain..", "dev.nitricws.ports..", "dev.nitricws.adapters..")
      .as("local-runtime does not import the domain, ports or adapters");

  /** A store or metrics adapter implements an outbound port of the domain: it sees the domain, not the application layer. */
  static final ArchRule STORES_SEE_THE_DOMAIN_NOT_THE_APP = noClasses().that().resideInAnyPackage(OUTBOUND_ADAPTERS)
      .should().dependOnClassesThat().resideInAnyPackage("dev.nitricws.ports..", "dev.nitricws.bootstrap..")
      .as("store and metrics adapters depend on the domain, not on ports or bootstrap");

  /** {@code adapter} imports no other adapter, nor bootstrap. */
  static ArchRule adapterIsolation(String adapter) {
    String[] others = java.util.Arrays.stream(ADAPTERS).filter(other -> !other.equals(adapter)).toArray(String[]::new);
    return noClasses().that().resideInAPackage(adapter)
        .should().dependOnClassesThat().resideInAnyPackage(others)
        .orShould().dependOnClassesThat().resideInAnyPackage("dev.nitricws.bootstrap..")
        .as(adapter + " imports no other adapter and not bootstrap");
  }

  private static JavaClasses production;

  @BeforeAll
  static void importClasses() {
    production = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(location -> !location.contains("/fixture/"))
        .importPackages("dev.nitricws");
  }

  @Test
  void everyModuleIsOnTheClassPath() {
    assertThat(production.containPackage("dev.nitricws.domain")).isTrue();
    assertThat(production.containPackage("dev.nitricws.ports")).isTrue();
    assertThat(production.containPackage("dev.nitricws.adapters.memory")).isTrue();
    assertThat(production.containPackage("dev.nitricws.json")).isTrue();
    assertThat(production.containPackage("dev.nitricws.adapters.micrometer")).isTrue();
  }

  @Test
  void domainIsPure() {
    DOMAIN_IS_PURE.check(production);
  }

  @Test
  void portsSeeOnlyTheDomain() {
    PORTS_SEE_ONLY_THE_DOMAIN.check(production);
  }

  @Test
  void jsonSeesTheApplicationLayerOnly() {
    JSON_SEES_THE_APP_LAYER.check(production);
  }

  @Test
  void onlyBootstrapKnowsGuice() {
    ONLY_BOOTSTRAP_KNOWS_GUICE.check(production);
  }

  @Test
  void adaptersDoNotImportEachOther() {
    for (String adapter : ADAPTERS) {
      adapterIsolation(adapter).check(production);
    }
  }

  @Test
  void storeAdaptersDependOnTheDomainOnly() {
    STORES_SEE_THE_DOMAIN_NOT_THE_APP.check(production);
  }

  @Test
  void localRuntimeDoesNotImportTheCore() {
    RUNTIME_IS_INDEPENDENT.check(production);
  }

  @Test
  void theRulesCatchTheFixturesThatBreakThem() {
    JavaClasses fixtures = new ClassFileImporter().importPackages(
        "dev.nitricws.domain.fixture", "dev.nitricws.adapters.redis.fixture", "dev.nitricws.ports.fixture",
        "dev.nitricws.json.fixture");
    assertThat(fixtures).isNotEmpty();
    assertThatThrownBy(() -> DOMAIN_IS_PURE.check(fixtures))
        .isInstanceOf(AssertionError.class).hasMessageContaining("DomainUsingSlf4j");
    assertThatThrownBy(() -> ONLY_BOOTSTRAP_KNOWS_GUICE.check(fixtures))
        .isInstanceOf(AssertionError.class).hasMessageContaining("PortUsingGuice");
    assertThatThrownBy(() -> adapterIsolation("dev.nitricws.adapters.redis..").check(fixtures))
        .isInstanceOf(AssertionError.class).hasMessageContaining("RedisAdapterUsingPostgres");
    assertThatThrownBy(() -> STORES_SEE_THE_DOMAIN_NOT_THE_APP.check(fixtures))
        .isInstanceOf(AssertionError.class).hasMessageContaining("RedisAdapterUsingPorts");
    assertThatThrownBy(() -> JSON_SEES_THE_APP_LAYER.check(fixtures))
        .isInstanceOf(AssertionError.class).hasMessageContaining("JsonUsingAnAdapter");
  }
}
