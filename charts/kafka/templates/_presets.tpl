{{/* Kafka's size presets, and the JVM heap that fits each limit (the rest is page cache). */}}
{{- define "app.presets" -}}
small:
  requests: { cpu: 250m, memory: 1Gi }
  limits: { cpu: "1", memory: 2Gi }
medium:
  requests: { cpu: 500m, memory: 2Gi }
  limits: { cpu: "2", memory: 4Gi }
large:
  requests: { cpu: "2", memory: 8Gi }
  limits: { cpu: "4", memory: 16Gi }
{{- end -}}

{{- define "app.heap" -}}
{{- $heap := dict "small" "512m" "medium" "1g" "large" "4g" -}}
{{- index $heap .Values.preset -}}
{{- end -}}

{{- define "app.podHost" -}}
{{- printf "%s-%d.%s.%s.svc.cluster.local" (include "app.fullname" (index . 0)) (index . 1) (include "app.headless" (index . 0)) (index . 0).Release.Namespace -}}
{{- end -}}

{{/* id@host:9093 for every controller (node ids from 0: the pod's ordinal). */}}
{{- define "app.voters" -}}
{{- $voters := list -}}
{{- range $i := until (int .Values.replicas) -}}
{{- $voters = append $voters (printf "%d@%s:9093" $i (include "app.podHost" (list $ $i))) -}}
{{- end -}}
{{- join "," $voters -}}
{{- end -}}

{{/* Internal topics are replicated as far as the servers allow (3 at most). */}}
{{- define "app.replication" -}}
{{- min 3 (int .Values.replicas) -}}
{{- end -}}
