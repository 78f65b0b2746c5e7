import {
  groovyString,
  pipelineJobConfig,
  pipelineScript,
  shellCommand,
  xmlEscape,
} from './pipeline';

/** The text of the one `<script>` element, unescaped as an XML parser would. */
function scriptOf(xml: string): string {
  const scripts = xml.match(/<script>([\s\S]*?)<\/script>/g) ?? [];
  expect(scripts).toHaveLength(1);
  return scripts[0]!
    .replace(/^<script>|<\/script>$/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

const HOSTILE = [
  "'; sh 'rm -rf /'; '",
  '</script><sandbox>false</sandbox><script>',
  '${env.SECRET}',
  '$(cat /etc/passwd)',
  '`id`',
  'line one\nstage("evil") { }',
  "\\'",
  '"""',
  "''' + System.exit(0) + '''",
];

describe('the generated Jenkins pipeline', () => {
  it('keeps its shape whatever the values: every one a literal, in one sh step', () => {
    const stages = [
      { name: 'Build', commands: [['npm', 'run', ...HOSTILE]] },
      { name: HOSTILE[0], commands: [['echo', 'ok']] },
    ];
    const script = pipelineScript(stages, ['COMMIT_SHA']);
    expect(script.match(/^ {4}stage\(/gm)).toHaveLength(2);
    expect(script.match(/^ {8}sh\(/gm)).toHaveLength(2);
    // each value appears only inside Groovy single-quoted literals
    for (const line of script.split('\n').filter(l => l.includes('sh('))) {
      expect(line).toMatch(
        /^ {8}sh\(label: '(?:[^'\\]|\\.)*', script: '(?:[^'\\]|\\.)*'\)$/,
      );
    }
    const xml = pipelineJobConfig({
      description: HOSTILE[1],
      stages,
      parameters: ['COMMIT_SHA'],
    });
    expect(xml.match(/<sandbox>/g)).toHaveLength(1);
    expect(xml).toContain('<sandbox>true</sandbox>');
    expect(scriptOf(xml)).toBe(script);
  });

  it('quotes each argument for the shell, and expands only declared parameters', () => {
    const argv = ['git', 'fetch', 'origin', '${COMMIT_SHA}', "it's"];
    const command = shellCommand(argv, ['COMMIT_SHA']);
    expect(command).toBe(`'git' 'fetch' 'origin' "\${COMMIT_SHA}" 'it'\\''s'`);
    const script = pipelineScript(
      [{ name: 'Fetch', commands: [argv] }],
      ['COMMIT_SHA'],
    );
    expect(script).toContain(`script: ${groovyString(`set -e\n${command}`)})`);
    expect(() =>
      pipelineScript(
        [{ name: 'x', commands: [['echo', '${HOME}']] }],
        ['COMMIT_SHA'],
      ),
    ).toThrow(
      'the argument ${HOME} names no parameter of the run (COMMIT_SHA)',
    );
  });

  it('declares every parameter as a string parameter, and refuses names Jenkins cannot take', () => {
    const xml = pipelineJobConfig({
      description: 'd',
      stages: [],
      parameters: ['COMMIT_SHA', 'IMAGE'],
    });
    expect(xml.match(/<hudson.model.StringParameterDefinition>/g)).toHaveLength(
      2,
    );
    expect(xml).toContain('<name>IMAGE</name>');
    expect(() => pipelineScript([], ['image tag'])).toThrow(
      'image tag cannot be a Jenkins parameter',
    );
  });

  it('escapes for XML and Groovy, and refuses control characters', () => {
    expect(xmlEscape(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;',
    );
    expect(() => xmlEscape('bell\u0007')).toThrow('control character');
    expect(groovyString("it's\\n\n")).toBe("'it\\'s\\\\n\\n'");
  });
});
