import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { appStoreApiRef, type AppStoreApi } from '../../api/AppStoreClient';
import { ContainerCloudPlacementPicker } from './ContainerCloudPlacementPicker';
import { validatePlacement } from './field';
import type { PlacementValue } from './placements';

// rendering MUI selects in jsdom is slow on a busy 2-core machine
jest.setTimeout(60_000);

const targets = {
  items: [
    {
      owner: 'component:default/payments-api',
      cluster: 'local-a',
      namespace: 'payments',
    },
    {
      owner: 'component:default/payments-api',
      cluster: 'local-b',
      namespace: 'payments',
    },
    {
      owner: 'component:default/payments-api',
      cluster: 'local-c',
      namespace: '*',
    },
    {
      owner: 'component:default/orders-api',
      cluster: 'local-a',
      namespace: 'orders',
    },
  ],
};

function fakeApi(answer: () => Promise<typeof targets>) {
  return { targets: jest.fn(answer) } as unknown as AppStoreApi;
}

/** Renders the field as the scaffolder does, the form's data holding the owner under `service`. */
async function renderField(options: {
  api: AppStoreApi;
  owner?: string;
  value?: PlacementValue;
  rawErrors?: string[];
}) {
  const onChange = jest.fn();
  const props = {
    formData: options.value,
    onChange,
    rawErrors: options.rawErrors,
    required: true,
    disabled: false,
    schema: { title: 'Where', type: 'object' },
    uiSchema: { 'ui:options': { ownerParameter: 'service' } },
    idSchema: { $id: 'root_placement' },
    formContext: { formData: { service: options.owner } },
  } as any;
  await renderInTestApp(
    <TestApiProvider apis={[[appStoreApiRef, options.api]]}>
      <ContainerCloudPlacementPicker {...props} />
    </TestApiProvider>,
  );
  return onChange;
}

describe('ContainerCloudPlacementPicker', () => {
  it("lists the chosen owner's placements only, picks the first, and reports the one the person picks", async () => {
    const onChange = await renderField({
      api: fakeApi(async () => targets),
      owner: 'component:default/payments-api',
    });
    await waitFor(() =>
      expect(onChange).toHaveBeenCalledWith({
        cluster: 'local-a',
        namespace: 'payments',
      }),
    );
    fireEvent.mouseDown(screen.getByRole('button', { name: /Where/ }));
    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      'local-a / payments',
      'local-b / payments',
      'local-c / any namespace',
    ]);
    fireEvent.click(options[1]);
    expect(onChange).toHaveBeenLastCalledWith({
      cluster: 'local-b',
      namespace: 'payments',
    });
  });

  it('asks for the namespace where the owner may use any namespace of a cluster', async () => {
    const onChange = await renderField({
      api: fakeApi(async () => targets),
      owner: 'payments-api', // as a short ref: component:default/payments-api
      value: { cluster: 'local-c' },
    });
    const namespace = await screen.findByRole('textbox', { name: /Namespace/ });
    fireEvent.change(namespace, { target: { value: 'sandbox' } });
    expect(onChange).toHaveBeenLastCalledWith({
      cluster: 'local-c',
      namespace: 'sandbox',
    });
  });

  it('shows progress while the targets load', async () => {
    await renderField({
      api: fakeApi(() => new Promise(() => {})),
      owner: 'component:default/payments-api',
    });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });

  it('shows the error, and loads again on retry', async () => {
    let calls = 0;
    const api = fakeApi(async () => {
      calls += 1;
      if (calls === 1) throw new Error('the app store backend is down');
      return targets;
    });
    await renderField({ api, owner: 'component:default/payments-api' });
    const retry = await screen.findByRole('button', { name: 'Retry' });
    expect(
      screen.getAllByText(/the app store backend is down/).length,
    ).toBeGreaterThan(0);
    fireEvent.click(retry);
    expect(
      await screen.findByRole('button', { name: /Where/ }),
    ).toBeInTheDocument();
  });

  it('says so when the owner has no placement the user may use, and sets nothing', async () => {
    const onChange = await renderField({
      api: fakeApi(async () => targets),
      owner: 'component:default/inventory-api',
    });
    expect(
      await screen.findByText(
        /has no cluster and namespace you may install into/,
      ),
    ).toBeInTheDocument();
    expect(onChange).toHaveBeenLastCalledWith(undefined);
  });

  it('asks for the owner first', async () => {
    await renderField({ api: fakeApi(async () => targets) });
    expect(
      await screen.findByText(/Choose the owner first \(service\)/),
    ).toBeInTheDocument();
  });

  it('shows the form’s errors on the field', async () => {
    await renderField({
      api: fakeApi(async () => targets),
      owner: 'component:default/payments-api',
      value: { cluster: 'local-a', namespace: 'payments' },
      rawErrors: ['local-a/nope is not a placement the owner’s binding covers'],
    });
    expect(
      await screen.findByText(/is not a placement the owner’s binding covers/),
    ).toBeInTheDocument();
  });
});

describe('validatePlacement', () => {
  async function errorsFor(value: PlacementValue | undefined, owner?: string) {
    const errors: string[] = [];
    await validatePlacement(
      value,
      { addError: (m: string) => errors.push(m) } as any,
      {
        apiHolder: { get: () => fakeApi(async () => targets) },
        formData: { service: owner },
        schema: {},
        uiSchema: { 'ui:options': { ownerParameter: 'service' } },
      } as any,
    );
    return errors;
  }

  it('accepts a placement of the owner, and any valid namespace where it may use any', async () => {
    const owner = 'component:default/payments-api';
    expect(
      await errorsFor({ cluster: 'local-b', namespace: 'payments' }, owner),
    ).toEqual([]);
    expect(
      await errorsFor({ cluster: 'local-c', namespace: 'sandbox' }, owner),
    ).toEqual([]);
  });

  it.each([
    [undefined, 'choose a cluster and namespace'],
    [{ cluster: 'local-c' }, 'name the namespace'],
    [
      { cluster: 'local-c', namespace: 'Bad_NS' },
      'a namespace is lower-case letters',
    ],
    [
      { cluster: 'local-a', namespace: 'orders' },
      "local-a/orders is not a placement the owner's binding covers",
    ],
  ])('refuses %j', async (value, words) => {
    const errors = await errorsFor(value, 'component:default/payments-api');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(words);
  });

  it('refuses every placement when no owner is chosen', async () => {
    expect(
      await errorsFor({ cluster: 'local-a', namespace: 'payments' }),
    ).toEqual([
      "local-a/payments is not a placement the owner's binding covers",
    ]);
  });
});
