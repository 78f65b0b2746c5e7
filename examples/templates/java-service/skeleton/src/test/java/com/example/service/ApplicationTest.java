package com.example.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.ResponseEntity;

/** The app on a random port, asked over HTTP as the probes and users ask it. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@SuppressWarnings({"rawtypes", "unchecked"})
class ApplicationTest {

  @Autowired private TestRestTemplate http;

  @Test
  void healthzAnswers200WhileRunning() {
    ResponseEntity<Map> response = http.getForEntity("/healthz", Map.class);
    assertThat(response.getStatusCode().value()).isEqualTo(200);
    assertThat(response.getBody()).isEqualTo(Map.of("status", "ok"));
  }

  @Test
  void rootNamesTheService() {
    ResponseEntity<Map> response = http.getForEntity("/", Map.class);
    assertThat(response.getStatusCode().value()).isEqualTo(200);
    assertThat(response.getBody())
        .isEqualTo(Map.of("service", "${{ values.name }}", "version", "dev"));
  }
}
