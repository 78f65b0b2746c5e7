package com.example.service;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** The "listening" log line: the port and the configured middleware (never a password). */
@Component
public class StartupLog {

  private static final Logger LOG = LoggerFactory.getLogger(StartupLog.class);

  @EventListener
  public void onListening(WebServerInitializedEvent event) {
    LOG.atInfo()
        .setMessage("listening")
        .addKeyValue("port", event.getWebServer().getPort())
        .addKeyValue("middleware", Middleware.configured(System.getenv()))
        .log();
  }
}
