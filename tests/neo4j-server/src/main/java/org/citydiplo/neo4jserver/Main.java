package org.citydiplo.neo4jserver;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilder;
import org.neo4j.harness.Neo4jBuilders;

/**
 * An in-process Neo4j 5.26 for citydiplo's tests: Bolt on 127.0.0.1, no Docker.
 *
 * <pre>
 * java -cp target/neo4j-server.jar:$(cat target/classpath.txt) org.citydiplo.neo4jserver.Main \
 *      [--port N] [--auth PASSWORD] [--dir DIR]
 * </pre>
 *
 * Prints {@code CITYDIPLO_NEO4J bolt://127.0.0.1:PORT apoc=yes|no gds=no} on stdout once
 * Bolt answers, then blocks until killed. Without --port a free port is chosen; without --auth
 * authentication is off; with it, user neo4j has that password. APOC core is loaded by handing
 * its jar (found on the classpath) to Neo4j's plugin loader. GDS is not loaded: see pom.xml.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    int port = 0;
    String password = null;
    Path dir = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--auth" -> password = args[++i];
        case "--dir" -> dir = Path.of(args[++i]);
        default -> {
          System.err.println("usage: Main [--port N] [--auth PASSWORD] [--dir DIR]");
          System.exit(2);
        }
      }
    }
    if (port == 0) {
      port = freePort();
    }
    if (dir == null) {
      dir = Files.createTempDirectory("citydiplo-neo4j");
    }
    Path plugins = Files.createDirectories(dir.resolve("plugins"));
    boolean apoc = linkApoc(plugins);

    Neo4jBuilder builder =
        Neo4jBuilders.newInProcessBuilder(dir.resolve("work"))
            .withDisabledServer()
            .withConfig(BoltConnector.enabled, true)
            .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
            .withConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
            .withConfig(HttpConnector.enabled, false)
            .withConfig(GraphDatabaseSettings.plugin_dir, plugins.toAbsolutePath())
            .withConfig(GraphDatabaseSettings.procedure_unrestricted, List.of("apoc.*"))
            .withConfig(GraphDatabaseSettings.auth_enabled, password != null);
    Neo4j neo4j = builder.build();
    if (password != null) {
      // The harness starts with the default user; give it the requested password.
      neo4j
          .databaseManagementService()
          .database("system")
          .executeTransactionally(
              "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
              java.util.Map.of("password", password));
    }
    apoc = apoc && hasProcedure(neo4j, "apoc.help");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  neo4j.close();
                  stopped.countDown();
                }));
    System.out.printf(
        "CITYDIPLO_NEO4J bolt://127.0.0.1:%d apoc=%s gds=no%n", port, apoc ? "yes" : "no");
    System.out.flush();
    stopped.await();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", 0));
      return socket.getLocalPort();
    }
  }

  /**
   * Link APOC's jars (apoc-core and the apoc-common it needs) from the classpath into the
   * plugins folder: Neo4j only registers procedures it finds there. False when they are missing.
   */
  private static boolean linkApoc(Path plugins) throws IOException {
    boolean any = false;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.contains("/org/neo4j/procedure/apoc-") && entry.endsWith(".jar")) {
        Path jar = Path.of(entry).toAbsolutePath();
        Path link = plugins.resolve(jar.getFileName());
        if (!Files.exists(link)) {
          Files.createSymbolicLink(link, jar);
        }
        any = true;
      }
    }
    return any;
  }

  private static boolean hasProcedure(Neo4j neo4j, String name) {
    try {
      return neo4j
          .defaultDatabaseService()
          .executeTransactionally(
              "SHOW PROCEDURES YIELD name WHERE name = $name RETURN count(*) AS n",
              java.util.Map.of("name", name),
              result -> ((Number) result.next().get("n")).longValue() > 0);
    } catch (RuntimeException failure) {
      return false;
    }
  }
}
