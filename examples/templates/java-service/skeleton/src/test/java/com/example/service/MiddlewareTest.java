package com.example.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MiddlewareTest {

  @Test
  void noneWithoutTheVariables() {
    assertThat(Middleware.configured(Map.of("PORT", "8080"))).isEmpty();
  }

  @Test
  void redisAndMysqlAsTheAppStoreAttachesThemWithoutThePasswords() {
    Map<String, Map<String, Object>> configured =
        Middleware.configured(
            Map.of(
                "REDIS_HOST", "svc-redis.payments.svc",
                "REDIS_PORT", "6379",
                "REDIS_PASSWORD", "s3cret",
                "MYSQL_HOST", "svc-mysql.payments.svc",
                "MYSQL_PORT", "3306",
                "MYSQL_USER", "app"));
    assertThat(configured)
        .isEqualTo(
            Map.of(
                "redis",
                    Map.of("host", "svc-redis.payments.svc", "port", 6379, "passwordSet", true),
                "mysql",
                    Map.of(
                        "host",
                        "svc-mysql.payments.svc",
                        "port",
                        3306,
                        "user",
                        "app",
                        "passwordSet",
                        false)));
    assertThat(configured.toString()).doesNotContain("s3cret");
  }
}
