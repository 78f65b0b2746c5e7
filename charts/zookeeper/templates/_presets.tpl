{{/* ZooKeeper's size presets, and the JVM heap that fits each limit. */}}
{{- define "app.presets" -}}
small:
  requests: { cpu: 100m, memory: 512Mi }
  limits: { cpu: 500m, memory: 1Gi }
medium:
  requests: { cpu: 250m, memory: 1Gi }
  limits: { cpu: "1", memory: 2Gi }
large:
  requests: { cpu: "1", memory: 4Gi }
  limits: { cpu: "2", memory: 8Gi }
{{- end -}}

{{- define "app.heap" -}}
{{- $heap := dict "small" "512m" "medium" "1g" "large" "4g" -}}
{{- index $heap .Values.preset -}}
{{- end -}}

{{/* server.N=host:2888:3888;2181 for every server of the ensemble (ids from 1). */}}
{{- define "app.servers" -}}
{{- $servers := list -}}
{{- range $i := until (int .Values.replicas) -}}
{{- $host := printf "%s-%d.%s.%s.svc.cluster.local" (include "app.fullname" $) $i (include "app.headless" $) $.Release.Namespace -}}
{{- $servers = append $servers (printf "server.%d=%s:2888:3888;2181" (add1 $i) $host) -}}
{{- end -}}
{{- join " " $servers -}}
{{- end -}}
