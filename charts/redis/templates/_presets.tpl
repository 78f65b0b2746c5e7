{{/* Redis' size presets; maxmemory leaves a quarter of the limit for the process itself. */}}
{{- define "app.presets" -}}
small:
  requests: { cpu: 100m, memory: 256Mi }
  limits: { cpu: 500m, memory: 512Mi }
medium:
  requests: { cpu: 250m, memory: 1Gi }
  limits: { cpu: "1", memory: 2Gi }
large:
  requests: { cpu: "1", memory: 4Gi }
  limits: { cpu: "2", memory: 8Gi }
{{- end -}}

{{- define "app.maxmemory" -}}
{{- $maxmemory := dict "small" "384mb" "medium" "1536mb" "large" "6gb" -}}
{{- index $maxmemory .Values.preset -}}
{{- end -}}
