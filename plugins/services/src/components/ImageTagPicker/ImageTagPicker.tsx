import useAsync from 'react-use/esm/useAsync';
import { MenuItem, TextField } from '@material-ui/core';
import { getCompoundEntityRef, type Entity } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { imageTagsApiRef } from '../../api/ImageTagsClient';

/** The image reference without its tag or digest. */
export function withoutTag(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

/**
 * Offers the tags of the image's repository from the registry (newest first); picking one sets
 * the image. Without a configured registry it says so, and the image is typed by hand.
 */
export function ImageTagPicker(props: {
  entity: Entity;
  /** the image the container runs now */
  image: string;
  /** the image the dialog will set */
  value: string;
  onPick(image: string): void;
}) {
  const { entity, image, value, onPick } = props;
  const api = useApi(imageTagsApiRef);
  const ref = getCompoundEntityRef(entity);
  const repository = withoutTag(image);
  const tags = useAsync(
    () => api.tags(ref, image),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, ref.namespace, ref.name, image],
  );
  const chosen =
    withoutTag(value) === repository ? value.slice(repository.length + 1) : '';

  if (tags.loading) {
    return (
      <TextField
        fullWidth
        margin="normal"
        label="Tag"
        disabled
        value=""
        helperText="reading the registry’s tags…"
      />
    );
  }
  if (tags.error || !tags.value) {
    return (
      <TextField
        fullWidth
        margin="normal"
        label="Tag"
        disabled
        value=""
        helperText={`no tag list (${
          tags.error?.message ?? 'no answer'
        }); type the image above`}
      />
    );
  }
  const list = tags.value.tags;
  return (
    <TextField
      select
      fullWidth
      margin="normal"
      id="container-cloud-image-tag"
      label="Tag"
      value={list.includes(chosen) ? chosen : ''}
      helperText={`${list.length} tags of ${tags.value.host}/${
        tags.value.repository
      }${tags.value.truncated ? ' (the first ones)' : ''}, newest first`}
      onChange={e => onPick(`${repository}:${e.target.value}`)}
    >
      {list.map(tag => (
        <MenuItem key={tag} value={tag}>
          {tag}
        </MenuItem>
      ))}
    </TextField>
  );
}
