import { fireEvent, screen, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { Entity } from '@backstage/catalog-model';
import { ImageTagsApi, imageTagsApiRef } from '../../api/ImageTagsClient';
import { ImageTagPicker, withoutTag } from './ImageTagPicker';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
};
const IMAGE = 'registry.example.com/payments/payments-api:1.0.0';

function render(api: ImageTagsApi, onPick = jest.fn(), value = IMAGE) {
  return renderInTestApp(
    <TestApiProvider apis={[[imageTagsApiRef, api]]}>
      <ImageTagPicker
        entity={entity}
        image={IMAGE}
        value={value}
        onPick={onPick}
      />
    </TestApiProvider>,
  );
}

describe('ImageTagPicker', () => {
  it('offers the registry’s tags newest first and sets the image to the one picked', async () => {
    const onPick = jest.fn();
    const tags = jest.fn(async () => ({
      host: 'registry.example.com',
      repository: 'payments/payments-api',
      tags: ['2.0.0', '1.2.0', '1.0.0'],
      truncated: false,
    }));
    await render({ tags }, onPick);
    expect(tags).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'payments-api' },
      IMAGE,
    );
    expect(
      await screen.findByText(
        '3 tags of registry.example.com/payments/payments-api, newest first',
      ),
    ).toBeInTheDocument();
    fireEvent.mouseDown(screen.getByLabelText('Tag'));
    const options = within(await screen.findByRole('listbox')).getAllByRole(
      'option',
    );
    expect(options.map(o => o.textContent)).toEqual([
      '2.0.0',
      '1.2.0',
      '1.0.0',
    ]);
    fireEvent.click(options[0]);
    expect(onPick).toHaveBeenCalledWith(
      'registry.example.com/payments/payments-api:2.0.0',
    );
  });

  it('says why there is no list, so the image is typed by hand', async () => {
    await render({
      tags: async () => {
        throw new Error(
          'no registry is configured for registry.example.com (containerCloud.registries); type the image instead',
        );
      },
    });
    expect(
      await screen.findByText(/no tag list \(no registry is configured/),
    ).toBeInTheDocument();
  });

  it('strips tags and digests, not registry ports', () => {
    expect(withoutTag('localhost:5000/app:1')).toBe('localhost:5000/app');
    expect(withoutTag('localhost:5000/app')).toBe('localhost:5000/app');
    expect(withoutTag(`app@sha256:${'a'.repeat(64)}`)).toBe('app');
  });
});
