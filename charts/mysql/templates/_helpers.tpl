{{/*
Names and labels. The release name prefixes every object; a release named like the chart keeps
the plain name.
*/}}
{{- define "app.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "app.headless" -}}
{{- printf "%s-headless" (include "app.fullname" .) -}}
{{- end -}}

{{- define "app.secretName" -}}
{{- printf "%s-auth" (include "app.fullname" .) -}}
{{- end -}}

{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "app.labels" -}}
{{ include "app.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: container-cloud-app-store
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "app.image" -}}
{{- $registry := .Values.image.registry | trimSuffix "/" -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" $registry .Values.image.repository .Values.image.tag -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository .Values.image.tag -}}
{{- end -}}
{{- end -}}

{{/*
Requests and limits of the chosen size preset (the presets are in _presets.tpl, per chart).
*/}}
{{- define "app.resources" -}}
{{- $presets := include "app.presets" . | fromYaml -}}
{{- $preset := index $presets .Values.preset -}}
{{- if not $preset -}}
{{- fail (printf "preset must be small, medium or large, not %q" .Values.preset) -}}
{{- end -}}
{{- toYaml $preset -}}
{{- end -}}

{{/*
A password: the one given in values, else the one the release's Secret already holds (kept across
upgrades), else a new random one. Call with (list $ "key" "given").
*/}}
{{- define "app.password" -}}
{{- $ := index . 0 -}}
{{- $key := index . 1 -}}
{{- $given := index . 2 -}}
{{- if $given -}}
{{- $given -}}
{{- else -}}
{{- include "app.kept" (list $ $key (randAlphaNum 24)) -}}
{{- end -}}
{{- end -}}

{{/*
The value the release's Secret holds under a key, or a new one. Call with (list $ "key" "new").
*/}}
{{- define "app.kept" -}}
{{- $ := index . 0 -}}
{{- $key := index . 1 -}}
{{- $existing := lookup "v1" "Secret" $.Release.Namespace (include "app.secretName" $) -}}
{{- if and $existing $existing.data (hasKey $existing.data $key) -}}
{{- index $existing.data $key | b64dec -}}
{{- else -}}
{{- index . 2 -}}
{{- end -}}
{{- end -}}

{{- define "app.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "app.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
{{- end -}}

{{- define "app.scheduling" -}}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "app.volumeClaimTemplate" -}}
- apiVersion: v1
  kind: PersistentVolumeClaim
  metadata:
    name: data
    labels:
      {{- include "app.selectorLabels" . | nindent 6 }}
  spec:
    accessModes:
      - ReadWriteOnce
    {{- if .Values.storage.storageClass }}
    storageClassName: {{ .Values.storage.storageClass | quote }}
    {{- end }}
    resources:
      requests:
        storage: {{ .Values.storage.size | quote }}
{{- end -}}
