-- +goose Up
-- Uploaded models name the admin who uploaded them; deleting the account keeps
-- the model and forgets the author.
ALTER TABLE model_versions
    ADD CONSTRAINT model_versions_author_id_fkey
    FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE model_versions DROP CONSTRAINT model_versions_author_id_fkey;
