{{/* MySQL's size presets: InnoDB wants memory more than CPU. */}}
{{- define "app.presets" -}}
small:
  requests: { cpu: 250m, memory: 512Mi }
  limits: { cpu: "1", memory: 1Gi }
medium:
  requests: { cpu: 500m, memory: 1Gi }
  limits: { cpu: "2", memory: 2Gi }
large:
  requests: { cpu: "1", memory: 4Gi }
  limits: { cpu: "4", memory: 8Gi }
{{- end -}}
