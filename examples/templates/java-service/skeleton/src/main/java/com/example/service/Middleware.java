package com.example.service;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The middleware the app store may attach to this service, by its variables: the template's
 * optional Redis sets REDIS_HOST, REDIS_PORT and REDIS_PASSWORD, its optional MySQL MYSQL_HOST,
 * MYSQL_PORT, MYSQL_USER and MYSQL_PASSWORD (each password a reference to the instance's Secret).
 * This app has no client library: it only reports what is configured (on /healthz and in its
 * "listening" log line), never the password itself.
 */
public final class Middleware {

  private static final Map<String, String> PREFIXES = Map.of("redis", "REDIS_", "mysql", "MYSQL_");

  private Middleware() {}

  /** Host, port, user and whether a password is set, per configured middleware (redis, mysql). */
  public static Map<String, Map<String, Object>> configured(Map<String, String> env) {
    Map<String, Map<String, Object>> configured = new LinkedHashMap<>();
    for (String name : new String[] {"redis", "mysql"}) {
      String prefix = PREFIXES.get(name);
      String host = env.get(prefix + "HOST");
      if (host == null || host.isEmpty()) {
        continue;
      }
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("host", host);
      String port = env.getOrDefault(prefix + "PORT", "");
      if (port.matches("[0-9]{1,5}") && Integer.parseInt(port) > 0) {
        entry.put("port", Integer.parseInt(port));
      }
      String user = env.get(prefix + "USER");
      if (user != null && !user.isEmpty()) {
        entry.put("user", user);
      }
      String password = env.get(prefix + "PASSWORD");
      entry.put("passwordSet", password != null && !password.isEmpty());
      configured.put(name, entry);
    }
    return configured;
  }
}
