import { PARAMETER_NAME, shellCommand } from '../commands';
import type { ExecutorStage } from '../types';

export { shellCommand } from '../commands';

// characters XML 1.0 cannot carry at all (a job's config.xml is XML)
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** Text as XML character data or an attribute value. */
export function xmlEscape(text: string): string {
  if (NOT_XML.test(text)) {
    throw new Error(
      'a control character cannot be part of a Jenkins job (XML)',
    );
  }
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Text as a Groovy single-quoted string literal (no interpolation in those). */
export function groovyString(text: string): string {
  return `'${text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')}'`;
}

/**
 * The pipeline script (declarative Jenkinsfile) of a run's stages: each stage's commands as
 * `sh` steps, every value a Groovy single-quoted literal and every argument shell-quoted, so no
 * field can add a step, a stage or a shell command. An argument that is exactly `${NAME}` is the
 * value of the run parameter NAME (declared in `parameters`), expanded by the shell as one word.
 */
export function pipelineScript(
  stages: readonly ExecutorStage[],
  parameters: readonly string[],
): string {
  for (const name of parameters) {
    if (!PARAMETER_NAME.test(name)) {
      throw new Error(
        `${name} cannot be a Jenkins parameter: upper-case letters, digits and _`,
      );
    }
  }
  const lines = ['pipeline {', '  agent any', '  stages {'];
  for (const stage of stages) {
    lines.push(`    stage(${groovyString(stage.name)}) {`, '      steps {');
    for (const argv of stage.commands) {
      const command = shellCommand(argv, parameters);
      lines.push(
        `        sh(label: ${groovyString(
          argv.join(' ').slice(0, 200),
        )}, script: ${groovyString(`set -e\n${command}`)})`,
      );
    }
    lines.push('      }', '    }');
  }
  lines.push('  }', '}');
  return `${lines.join('\n')}\n`;
}

/**
 * The `config.xml` of a parameterised pipeline job running `pipelineScript(stages)` in the
 * Groovy sandbox: every parameter declared as a string parameter, every text XML-escaped.
 */
export function pipelineJobConfig(options: {
  description: string;
  stages: readonly ExecutorStage[];
  parameters: readonly string[];
}): string {
  const script = pipelineScript(options.stages, options.parameters);
  const parameters = options.parameters
    .map(
      name => `        <hudson.model.StringParameterDefinition>
          <name>${xmlEscape(name)}</name>
          <defaultValue></defaultValue>
          <trim>false</trim>
        </hudson.model.StringParameterDefinition>`,
    )
    .join('\n');
  return `<?xml version='1.1' encoding='UTF-8'?>
<flow-definition plugin="workflow-job">
  <description>${xmlEscape(options.description)}</description>
  <keepDependencies>false</keepDependencies>
  <properties>
    <hudson.model.ParametersDefinitionProperty>
      <parameterDefinitions>
${parameters}
      </parameterDefinitions>
    </hudson.model.ParametersDefinitionProperty>
  </properties>
  <definition class="org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition" plugin="workflow-cps">
    <script>${xmlEscape(script)}</script>
    <sandbox>true</sandbox>
  </definition>
  <triggers/>
  <disabled>false</disabled>
</flow-definition>
`;
}
