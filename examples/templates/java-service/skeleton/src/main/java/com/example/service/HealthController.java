package com.example.service;

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
 * Service stops sending traffic before the process ends); {@code GET /} says hello.
 */
@RestController
public class HealthController {

  private final AtomicBoolean shuttingDown = new AtomicBoolean(false);
  private final String service;
  private final String version;

  public HealthController(
      @Value("${spring.application.name}") String service,
      @Value("${app.version}") String version) {
    this.service = service;
    this.version = version;
  }

  @GetMapping("/healthz")
  public ResponseEntity<Map<String, String>> healthz() {
    return shuttingDown.get()
        ? ResponseEntity.status(503).body(Map.of("status", "shutting-down"))
        : ResponseEntity.ok(Map.of("status", "ok"));
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
