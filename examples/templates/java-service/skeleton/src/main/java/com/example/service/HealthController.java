package com.example.service;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /healthz} for the readiness and liveness probes (503 once shutting down, so the
 * Service stops sending traffic before the process ends), with the configured middleware, if any;
 * {@code GET /} says hello.
 */
@RestController
public class HealthController {

  private final AtomicBoolean shuttingDown = new AtomicBoolean(false);
  private final String service;
  private final String version;
  private final Map<String, Map<String, Object>> middleware =
      Middleware.configured(System.getenv());

  public HealthController(
      @Value("${spring.application.name}") String service,
      @Value("${app.version}") String version) {
    this.service = service;
    this.version = version;
  }

  @GetMapping("/healthz")
  public ResponseEntity<Map<String, Object>> healthz() {
    if (shuttingDown.get()) {
      return ResponseEntity.status(503).body(Map.of("status", "shutting-down"));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "ok");
    if (!middleware.isEmpty()) {
      body.put("middleware", middleware);
    }
    return ResponseEntity.ok(body);
  }

  @GetMapping("/")
  public Map<String, String> hello() {
    return Map.of("service", service, "version", version);
  }

  @EventListener(ContextClosedEvent.class)
  public void onClose() {
    shuttingDown.set(true);
  }
}
