export interface Config {
  containerCloud?: {
    /** Alert rules, receivers, alerts and autoscaling (plugins/alerts-backend). */
    alerts?: {
      // src/rules: the Prometheus servers rule files are delivered to (prometheus[]) and the
      // PrometheusRule switch; src/receivers: Alertmanager; src/autoscaler: the loop's settings.
      // Each part documents its own keys here.
    };
  };
}
